import { toTimestamp, type userV1 } from '@acme/contracts';
import type { UserEntity } from './user.entity';

export function toUserMessage(user: UserEntity): userV1.User {
  return { id: user.id, email: user.email, name: user.name, createTime: toTimestamp(user.createTime) };
}

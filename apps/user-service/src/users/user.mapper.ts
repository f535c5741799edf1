import { toTimestamp, type userV1 } from '@acme/contracts';
import type { UserRow } from './users.repository';

export function toUserMessage(user: UserRow): userV1.User {
  return { id: user.id, email: user.email, name: user.name, createTime: toTimestamp(user.createTime) };
}

import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { userV1 } from '@acme/contracts';
import type { UserRow } from './users.repository';

export function toUserMessage(user: UserRow): userV1.User {
  return create(userV1.UserSchema, { id: user.id, email: user.email, name: user.name, createTime: timestampFromDate(user.createTime) });
}

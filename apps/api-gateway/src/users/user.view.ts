import type { userV1 } from '@acme/contracts';
import { rfc3339 } from '../http/json-values';

/** A user as the REST API shows it. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  createTime: string;
}

export interface UserPageView {
  users: UserView[];
  nextPageToken: string | null;
}

export const userView = (user: userV1.User): UserView => ({
  id: user.id,
  email: user.email,
  name: user.name,
  createTime: rfc3339(user.createTime),
});

export const userPageView = (page: userV1.ListUsersResponse): UserPageView => ({
  users: page.users.map(userView),
  nextPageToken: page.nextPageToken || null,
});

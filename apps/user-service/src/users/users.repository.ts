import { Injectable } from '@nestjs/common';
import { outboxInsertSql, outboxInsertValues } from '@acme/messaging';
import { Database } from '@acme/persistence';
import { userDeletedEvent } from '../outbox/user-events';
import type { UserEntity } from './user.entity';

const COLUMNS = 'id, email, name, create_time AS "createTime", subject';

// No conflict target: any unique index (lower(email), idempotency_key, subject) makes it a no-op.
// A concurrent insert of the same email, key or subject is waited for, so FIND_CONFLICTING sees it.
const INSERT = `INSERT INTO users (id, email, name, idempotency_key, subject) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`;
// The holder of the key first (a reused key is what the caller must hear about), then of the subject.
const FIND_CONFLICTING = `SELECT ${COLUMNS}, coalesce(idempotency_key, '') AS "idempotencyKey" FROM users
                           WHERE lower(email) = lower($1) OR idempotency_key = $2 OR subject = $3
                           ORDER BY idempotency_key = $2 DESC NULLS LAST, subject = $3 DESC NULLS LAST LIMIT 1`;
const FIND_BY_ID = `SELECT ${COLUMNS} FROM users WHERE id = $1`;
const LIST_FIRST = `SELECT ${COLUMNS} FROM users ORDER BY id LIMIT $1`;
const LIST_AFTER = `SELECT ${COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT $2`;
// The deletion and its UserDeleted row in one statement: the event exists exactly when the deletion committed.
const DELETE_BY_ID = `WITH deleted AS (
                        DELETE FROM users WHERE id = $1 RETURNING id
                      ), event AS (
                        ${outboxInsertSql('deleted', 2)}
                      )
                      SELECT EXISTS (SELECT 1 FROM deleted) AS deleted`;

/** What the reads return (COLUMNS). */
export type UserRow = Pick<UserEntity, 'id' | 'email' | 'name' | 'createTime' | 'subject'>;

export type NewUserRow = Pick<UserEntity, 'id' | 'email' | 'name'> & { readonly idempotencyKey: string };

/** A stored user with the idempotency key it was created with ('' when none). */
export type StoredUser = UserRow & { readonly idempotencyKey: string };

export type InsertedUser = { readonly inserted: UserRow } | { readonly existing: StoredUser };

/**
 * Persistence of users: the `users` table (see UserEntity and the
 * migrations). Every method is one round trip (GetUser is the hottest call
 * of the system).
 */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inserts the user, bound to `subject` (null: to none), or, when its email
   * (in any letter case), its idempotency key or the subject is taken,
   * returns the user holding it, with the key that user was created with (''
   * when none): the service decides whether that is a replay or a conflict.
   */
  async insert(user: NewUserRow, subject: string | null = null): Promise<InsertedUser> {
    // A conflicting user can be deleted between the two statements; then the insert is tried again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const [row] = await this.db.query<UserRow>(INSERT, [user.id, user.email, user.name, user.idempotencyKey || null, subject]);
      if (row) return { inserted: row };
      const [holder] = await this.db.query<StoredUser>(FIND_CONFLICTING, [user.email, user.idempotencyKey || null, subject]);
      if (holder) return { existing: holder };
    }
    throw new Error('users.insert: the conflicting user kept disappearing; giving up after 3 attempts');
  }

  async findById(id: string): Promise<UserRow | undefined> {
    const [row] = await this.db.query<UserRow>(FIND_BY_ID, [id]);
    return row;
  }

  /** Up to `limit` users with id greater than `afterId` (all when undefined), in id (= creation) order. */
  listAfter(afterId: string | undefined, limit: number): Promise<UserRow[]> {
    return afterId === undefined
      ? this.db.query(LIST_FIRST, [limit])
      : this.db.query(LIST_AFTER, [afterId, limit]);
  }

  /** Deletes the user and records acme.user.v1.UserDeleted in the outbox. False (and no event) when there was no such user. */
  async deleteById(id: string): Promise<boolean> {
    const event = userDeletedEvent(id);
    const [row] = await this.db.query<{ deleted: boolean }>(DELETE_BY_ID, [id, ...outboxInsertValues(event)]);
    return row?.deleted === true;
  }
}

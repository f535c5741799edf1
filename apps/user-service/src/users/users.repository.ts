import { Injectable } from '@nestjs/common';
import { outboxInsertSql, outboxInsertValues } from '@acme/messaging';
import { SqlStatements } from '@acme/persistence';
import { userDeletedEvent } from '../outbox/user-events';
import type { UserEntity } from './user.entity';

const COLUMNS = 'id, email, name, create_time AS "createTime"';

/** What the reads return (COLUMNS). */
export type UserRow = Pick<UserEntity, 'id' | 'email' | 'name' | 'createTime'>;

export type NewUserRow = Pick<UserEntity, 'id' | 'email' | 'name'> & { readonly idempotencyKey: string };

/** A stored user with the idempotency key it was created with ('' when none). */
export type StoredUser = UserRow & { readonly idempotencyKey: string };

export type InsertedUser = { readonly inserted: UserRow } | { readonly existing: StoredUser };

/**
 * Persistence of users: the `users` table (see UserEntity and the
 * migrations). Every method is one round trip, as a named prepared statement
 * (GetUser is the hottest call of the system; see SqlStatements).
 */
@Injectable()
export class UsersRepository {
  constructor(private readonly sql: SqlStatements) {}

  /**
   * Inserts the user, or, when its email (in any letter case) or its
   * idempotency key is taken, returns the user holding it, with the key that
   * user was created with ('' when none): the service decides whether that is
   * a replay or a conflict.
   */
  async insert(user: NewUserRow): Promise<InsertedUser> {
    // A conflicting user can be deleted between the two statements; then the insert is tried again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const [row] = await this.sql.rows<UserRow>(
        'users.insert',
        // No conflict target: either unique index (lower(email), idempotency_key) makes it a no-op.
        // A concurrent insert of the same email or key is waited for, so the SELECT below sees it.
        `INSERT INTO users (id, email, name, idempotency_key) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        [user.id, user.email, user.name, user.idempotencyKey || null],
      );
      if (row) return { inserted: row };
      const [holder] = await this.sql.rows<StoredUser>(
        'users.find-conflicting',
        // The holder of the key first: a reused key is what the caller must hear about.
        `SELECT ${COLUMNS}, coalesce(idempotency_key, '') AS "idempotencyKey" FROM users
          WHERE lower(email) = lower($1) OR idempotency_key = $2
          ORDER BY idempotency_key = $2 DESC NULLS LAST LIMIT 1`,
        [user.email, user.idempotencyKey || null],
      );
      if (holder) return { existing: holder };
    }
    throw new Error('users.insert: the conflicting user kept disappearing; giving up after 3 attempts');
  }

  async findById(id: string): Promise<UserRow | undefined> {
    const [row] = await this.sql.rows<UserRow>('users.find-by-id', `SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return row;
  }

  /** Up to `limit` users with id greater than `afterId` (all when undefined), in id (= creation) order. */
  listAfter(afterId: string | undefined, limit: number): Promise<UserRow[]> {
    return afterId === undefined
      ? this.sql.rows('users.list-first', `SELECT ${COLUMNS} FROM users ORDER BY id LIMIT $1`, [limit])
      : this.sql.rows('users.list-after', `SELECT ${COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit]);
  }

  /**
   * Deletes the user and records acme.user.v1.UserDeleted in the outbox, in
   * one statement: the event exists exactly when the deletion committed.
   * False (and no event) when there was no such user.
   */
  async deleteById(id: string): Promise<boolean> {
    const event = userDeletedEvent(id);
    const [row] = await this.sql.rows<{ deleted: boolean }>(
      'users.delete-by-id',
      `WITH deleted AS (
         DELETE FROM users WHERE id = $1 RETURNING id
       ), event AS (
         ${outboxInsertSql('deleted', 2)}
       )
       SELECT EXISTS (SELECT 1 FROM deleted) AS deleted`,
      [id, ...outboxInsertValues(event)],
    );
    return row?.deleted === true;
  }
}

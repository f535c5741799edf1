import { Injectable } from '@nestjs/common';
import { isUniqueViolation, SqlStatements } from '@acme/persistence';
import { userDeletedEvent } from '../outbox/user-events';
import type { UserEntity } from './user.entity';

const COLUMNS = 'id, email, name, create_time AS "createTime"';

/**
 * Persistence of users: the `users` table (see UserEntity and the
 * migrations). Every method is one round trip, as a named prepared statement
 * (GetUser is the hottest call of the system; see SqlStatements).
 */
@Injectable()
export class UsersRepository {
  constructor(private readonly sql: SqlStatements) {}

  /** Inserts the user; returns undefined when the email is taken (in any letter case). */
  async insert(user: Pick<UserEntity, 'id' | 'email' | 'name'>): Promise<UserEntity | undefined> {
    try {
      const [row] = await this.sql.rows<UserEntity>(
        'users.insert',
        `INSERT INTO users (id, email, name) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
        [user.id, user.email, user.name],
      );
      return row;
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_lower_key')) return undefined;
      throw error;
    }
  }

  async findById(id: string): Promise<UserEntity | undefined> {
    const [row] = await this.sql.rows<UserEntity>('users.find-by-id', `SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return row;
  }

  /** Up to `limit` users with id greater than `afterId` (all when undefined), in id (= creation) order. */
  listAfter(afterId: string | undefined, limit: number): Promise<UserEntity[]> {
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
         INSERT INTO outbox (event_id, event_type, routing_key, payload)
         SELECT $2::uuid, $3::text, $4::text, $5::bytea FROM deleted
       )
       SELECT EXISTS (SELECT 1 FROM deleted) AS deleted`,
      [id, event.eventId, event.type, event.routingKey, Buffer.from(event.payload)],
    );
    return row?.deleted === true;
  }
}

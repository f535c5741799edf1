import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { isUniqueViolation } from '@acme/persistence';
import { userDeletedEvent } from '../outbox/user-events';
import { UserEntity } from './user.entity';

/** Persistence of users. Every statement is a single round trip. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  /** Inserts the user; returns undefined when the email is taken (in any letter case). */
  async insert(user: Pick<UserEntity, 'id' | 'email' | 'name'>): Promise<UserEntity | undefined> {
    try {
      const result = await this.users
        .createQueryBuilder()
        .insert()
        .values(user)
        .returning(['createTime'])
        .execute();
      const row = result.raw[0] as { create_time: Date };
      return Object.assign(new UserEntity(), user, { createTime: row.create_time });
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_lower_key')) return undefined;
      throw error;
    }
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /** Up to `limit` users with id greater than `afterId`, in id (= creation) order. */
  listAfter(afterId: string | undefined, limit: number): Promise<UserEntity[]> {
    const query = this.users.createQueryBuilder('u').orderBy('u.id', 'ASC').limit(limit);
    if (afterId !== undefined) query.where('u.id > :afterId', { afterId });
    return query.getMany();
  }

  /**
   * Deletes the user and records acme.user.v1.UserDeleted in the outbox, in
   * one statement: the event exists exactly when the deletion committed.
   * False (and no event) when there was no such user.
   */
  async deleteById(id: string): Promise<boolean> {
    const event = userDeletedEvent(id);
    const rows: { deleted: boolean }[] = await this.users.query(
      `WITH deleted AS (
         DELETE FROM users WHERE id = $1 RETURNING id
       ), event AS (
         INSERT INTO outbox (event_id, event_type, routing_key, payload)
         SELECT $2::uuid, $3::text, $4::text, $5::bytea FROM deleted
       )
       SELECT EXISTS (SELECT 1 FROM deleted) AS deleted`,
      [id, event.eventId, event.type, event.routingKey, Buffer.from(event.payload)],
    );
    return rows[0]?.deleted === true;
  }
}

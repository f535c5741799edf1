import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { isUniqueViolation } from '@acme/persistence';
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

  /** Deletes the user; false when there was none. */
  async deleteById(id: string): Promise<boolean> {
    const result = await this.users.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}

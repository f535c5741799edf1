import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A row of `users` (schema in database/migrations; the unique index is on lower(email)). */
@Entity({ name: 'users' })
@Index('users_idempotency_key', ['idempotencyKey'], { unique: true, where: 'idempotency_key IS NOT NULL' })
@Index('users_subject', ['subject'], { unique: true, where: 'subject IS NOT NULL' })
export class UserEntity {
  /** UUIDv7 assigned by the service: ids sort by creation time, which keyset paging relies on. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  email!: string;

  @Column('text')
  name!: string;

  @Column('timestamptz', { name: 'create_time', default: () => 'now()' })
  createTime!: Date;

  /** The idempotency key of the CreateUser request that created it, if it had one (unique). */
  @Column('text', { name: 'idempotency_key', nullable: true })
  idempotencyKey!: string | null;

  /** The access-token subject the user is bound to (it registered itself), or NULL (an admin created it). Unique. */
  @Column('text', { nullable: true })
  subject!: string | null;
}

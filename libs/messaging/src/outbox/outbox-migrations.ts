import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_OUTBOX_TABLE } from './outbox-event';
import { createOutboxNotifyTrigger, dropOutboxNotifyTrigger } from './outbox-notify';

/**
 * The outbox's own migration, shared by every publishing service (each lists
 * it in its migrations, after the one that created its outbox table): each
 * commit that writes events to the outbox wakes the relay (outbox-notify.ts).
 */
export class NotifyOutboxWrites1796083200001 implements MigrationInterface {
  name = 'NotifyOutboxWrites1796083200001';

  async up(db: QueryRunner): Promise<void> {
    await createOutboxNotifyTrigger(db, DEFAULT_OUTBOX_TABLE);
  }

  async down(db: QueryRunner): Promise<void> {
    await dropOutboxNotifyTrigger(db, DEFAULT_OUTBOX_TABLE);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxNotifyTrigger, DEFAULT_OUTBOX_TABLE, dropOutboxNotifyTrigger } from '@acme/messaging';

/** Each commit that writes events to the outbox wakes the relay (see @acme/messaging outbox-notify). */
export class NotifyOutboxWrites1796083200001 implements MigrationInterface {
  name = 'NotifyOutboxWrites1796083200001';

  async up(db: QueryRunner): Promise<void> {
    await createOutboxNotifyTrigger(db, DEFAULT_OUTBOX_TABLE);
  }

  async down(db: QueryRunner): Promise<void> {
    await dropOutboxNotifyTrigger(db, DEFAULT_OUTBOX_TABLE);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxNotifyTrigger, dropOutboxNotifyTrigger } from '@acme/messaging';

export class CreateOrderChanges1796600000000 implements MigrationInterface {
  name = 'CreateOrderChanges1796600000000';

  async up(db: QueryRunner): Promise<void> {
    // The change feed WatchOrders streams: one row per order created or
    // cancelled, written by a trigger in the transaction that made the change
    // (CreateOrder's statement, CancelOrder, the UserDeleted consumer), so no
    // code path can change an order without a row here. seq is the resume token.
    await db.query(`
      CREATE TABLE order_changes (
        seq bigserial PRIMARY KEY,
        user_id uuid NOT NULL,
        order_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('CREATED', 'CANCELLED')),
        change_time timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX order_changes_user_seq ON order_changes (user_id, seq)`);
    // Changes up to and including this seq were pruned: a resume token below it cannot be replayed.
    await db.query(`CREATE TABLE order_changes_horizon (pruned_through bigint NOT NULL)`);
    await db.query(`INSERT INTO order_changes_horizon VALUES (0)`);
    // The lock (first key "chng") serialises the writers of order_changes from
    // taking their seq to their commit, so seqs become visible in seq order: a
    // reader that has seen seq n has seen every committed seq below it, which
    // is what lets "everything after my token" be exactly once and in order.
    // It is taken last in every writing transaction (after the per-user lock),
    // so it cannot deadlock with it; it costs one short serial section per write.
    await db.query(`
      CREATE FUNCTION record_order_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(1667787111);
        INSERT INTO order_changes (user_id, order_id, kind) VALUES (NEW.user_id, NEW.id, NEW.status);
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER record_order_created AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION record_order_change()`);
    await db.query(`
      CREATE TRIGGER record_order_cancelled AFTER UPDATE OF status ON orders FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION record_order_change()`);
    // Every replica's watchers are woken by a NOTIFY delivered at commit (the outbox's mechanism).
    await createOutboxNotifyTrigger(db, 'order_changes');
  }

  async down(db: QueryRunner): Promise<void> {
    await dropOutboxNotifyTrigger(db, 'order_changes');
    await db.query(`DROP TRIGGER record_order_cancelled ON orders`);
    await db.query(`DROP TRIGGER record_order_created ON orders`);
    await db.query(`DROP FUNCTION record_order_change()`);
    await db.query(`DROP TABLE order_changes_horizon`);
    await db.query(`DROP TABLE order_changes`);
  }
}

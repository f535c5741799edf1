import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LockUserOrders1796400000000 implements MigrationInterface {
  name = 'LockUserOrders1796400000000';

  async up(db: QueryRunner): Promise<void> {
    // Serialises, per user, inserting an order and cancelling the orders of a
    // deleted user: both take this transaction-scoped advisory lock (first key
    // "ordr", second the user id's hash) before they look at deleted_users.
    // Without it, an insert could commit right after the UserDeleted handler
    // cancelled the user's open orders, and that order would stay open.
    //
    // It returns whether the user is deleted, read after the lock is held.
    // VOLATILE is what makes that read right inside a single statement: under
    // READ COMMITTED a volatile function's queries take a fresh snapshot, so
    // they see a tombstone committed while the statement waited for the lock
    // (the calling statement's own snapshot predates it). That lets CreateOrder
    // check, lock and insert in one statement, with no BEGIN/COMMIT round trips.
    await db.query(`
      CREATE FUNCTION lock_user_orders(target uuid) RETURNS boolean
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(1869767794, hashtext(target::text));
        RETURN EXISTS (SELECT 1 FROM deleted_users WHERE user_id = target);
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION lock_user_orders(uuid)`);
  }
}

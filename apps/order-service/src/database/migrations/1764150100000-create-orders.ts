import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrders1764150100000 implements MigrationInterface {
  name = 'CreateOrders1764150100000';

  async up(db: QueryRunner): Promise<void> {
    // user_id refers to user-service's users, which live in another database:
    // no foreign key is possible, user-service is asked instead.
    await db.query(`
      CREATE TABLE orders (
        id              uuid        PRIMARY KEY,
        user_id         uuid        NOT NULL,
        idempotency_key text        NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
        request_hash    text        NOT NULL,
        status          text        NOT NULL CHECK (status IN ('CREATED', 'CANCELLED')),
        total_cents     bigint      NOT NULL CHECK (total_cents >= 0),
        create_time     timestamptz NOT NULL DEFAULT now(),
        update_time     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT orders_user_id_idempotency_key_key UNIQUE (user_id, idempotency_key)
      )`);
    // ListOrders: one user's orders in id (= creation) order, keyset-paged.
    await db.query(`CREATE INDEX orders_user_id_id_idx ON orders (user_id, id)`);
    await db.query(`
      CREATE TABLE order_items (
        order_id         uuid     NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        position         smallint NOT NULL CHECK (position BETWEEN 1 AND 100),
        sku              text     NOT NULL CHECK (char_length(sku) BETWEEN 1 AND 64),
        quantity         integer  NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
        unit_price_cents bigint   NOT NULL CHECK (unit_price_cents >= 0),
        PRIMARY KEY (order_id, position)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE order_items`);
    await db.query(`DROP TABLE orders`);
  }
}

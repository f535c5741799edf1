import { Injectable } from '@nestjs/common';
import { Database } from '@acme/persistence';
import type { NewUserRow, StoredUser } from '../users/users.repository';

// One statement for the whole batch. ON CONFLICT DO NOTHING (either unique
// index: lower(email), idempotency_key) skips a row whose email or key is
// taken, by an existing user or by an earlier row of the same statement.
const INSERT_BATCH = `INSERT INTO users (id, email, name, idempotency_key)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
  ON CONFLICT DO NOTHING RETURNING id`;
const FIND_HOLDERS = `SELECT id, email, name, create_time AS "createTime", coalesce(idempotency_key, '') AS "idempotencyKey" FROM users
  WHERE lower(email) = ANY($1::text[]) OR idempotency_key = ANY($2::text[])`;

export interface BatchResult {
  /** Ids of the rows written. */
  readonly inserted: ReadonlySet<string>;
  /** The existing users holding the emails or keys of the rows not written (read in the same transaction). */
  readonly holders: readonly StoredUser[];
}

/** ImportUsers' writes: a batch of users in one transaction. */
@Injectable()
export class ImportRepository {
  constructor(private readonly db: Database) {}

  insertBatch(rows: readonly NewUserRow[]): Promise<BatchResult> {
    return this.db.transaction(async (tx) => {
      const written = await tx.query<{ id: string }>(INSERT_BATCH, [
        rows.map((r) => r.id),
        rows.map((r) => r.email),
        rows.map((r) => r.name),
        rows.map((r) => r.idempotencyKey || null),
      ]);
      const inserted = new Set(written.map((r) => r.id));
      const skipped = rows.filter((r) => !inserted.has(r.id));
      const holders =
        skipped.length === 0
          ? []
          : await tx.query<StoredUser>(FIND_HOLDERS, [skipped.map((r) => r.email.toLowerCase()), skipped.flatMap((r) => (r.idempotencyKey ? [r.idempotencyKey] : []))]);
      return { inserted, holders };
    });
  }
}

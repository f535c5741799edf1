import { create } from '@bufbuild/protobuf';
import { Injectable, Logger } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { v7 as uuidv7 } from 'uuid';
import { type StreamedRequest, userV1 } from '@acme/contracts';
import { StatusError, statusName } from '@acme/grpc-kit';
import type { NewUserRow, StoredUser } from '../users/users.repository';
import { ImportRepository } from './import.repository';
import { IMPORT_BATCH_SIZE, MAX_IMPORT_ITEMS } from './import-limits';

type Failure = { index: number; code: string; message: string };
type Pending = NewUserRow & { readonly index: number };

/**
 * ImportUsers: reads the stream one batch at a time (the client waits under
 * flow control while a batch is written), checks each item as CreateUser
 * does and writes each batch in one transaction. What it keeps across
 * batches is the email and key of each item it wrote (to name the earlier
 * item a later duplicate repeats: tens of bytes per item, bounded by
 * MAX_IMPORT_ITEMS), never the items themselves.
 */
@Injectable()
export class UserImportService {
  private readonly logger = new Logger('ImportUsers');

  constructor(private readonly imports: ImportRepository) {}

  async import(requests: AsyncIterable<StreamedRequest<userV1.ImportUsersRequest>>, signal: AbortSignal): Promise<userV1.ImportUsersResponse> {
    const failed: Failure[] = [];
    const byEmail = new Map<string, number>();
    const byKey = new Map<string, { index: number; email: string; name: string }>();
    let created = 0;
    let unchanged = 0;
    let batch: Pending[] = [];
    // Items repeating an item of the unwritten batch: whether that one gets written decides their answer.
    let repeats: { row: Pending; earlier: Pending }[] = [];
    const batchRows = new Map<number, Pending>();

    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      const repeated = repeats;
      batch = [];
      repeats = [];
      batchRows.clear();
      const { inserted, holders } = await this.imports.insertBatch(rows);
      created += inserted.size;
      for (const { row, earlier } of repeated) {
        const outcome = inserted.has(earlier.id) ? withinStream(row.index, row.email, row.name, row.idempotencyKey, byEmail, byKey) : againstDatabase(row, holders);
        if (outcome === 'unchanged') unchanged++;
        else if (outcome) failed.push(outcome);
      }
      for (const row of rows) {
        if (inserted.has(row.id)) continue;
        // Not written: a later repeat of it is answered from the database's holder instead.
        if (byEmail.get(row.email.toLowerCase()) === row.index) byEmail.delete(row.email.toLowerCase());
        if (byKey.get(row.idempotencyKey)?.index === row.index) byKey.delete(row.idempotencyKey);
        const outcome = againstDatabase(row, holders);
        if (outcome === 'unchanged') unchanged++;
        else failed.push(outcome);
      }
    };

    let count = 0;
    for await (const item of requests) {
      if (signal.aborted) break;
      if (++count > MAX_IMPORT_ITEMS) {
        throw new StatusError(
          status.RESOURCE_EXHAUSTED,
          `ImportUsers takes at most ${MAX_IMPORT_ITEMS} items per stream; ${created} users from the items before were created: send the rest in another stream`,
        );
      }
      if ('rejected' in item) {
        failed.push({ index: item.index, code: statusName(status.INVALID_ARGUMENT), message: withoutWrapper(item.rejected) });
        continue;
      }
      const { email, name, idempotencyKey } = item.request.user!;
      const row: Pending = { index: item.index, id: uuidv7(), email, name, idempotencyKey };
      const earlierIndex = (idempotencyKey ? byKey.get(idempotencyKey)?.index : undefined) ?? byEmail.get(email.toLowerCase());
      const earlier = earlierIndex === undefined ? undefined : batchRows.get(earlierIndex);
      if (earlier) {
        repeats.push({ row, earlier });
        continue;
      }
      const duplicate = withinStream(item.index, email, name, idempotencyKey, byEmail, byKey);
      if (duplicate === 'unchanged') unchanged++;
      else if (duplicate) failed.push(duplicate);
      else {
        batch.push(row);
        batchRows.set(row.index, row);
        byEmail.set(email.toLowerCase(), item.index);
        if (idempotencyKey) byKey.set(idempotencyKey, { index: item.index, email, name });
      }
      if (batch.length >= IMPORT_BATCH_SIZE) await flush();
    }
    if (signal.aborted) {
      this.logger.warn(`import ended early (deadline or cancellation) after ${count} items: ${created} users created in whole batches, the unwritten batch dropped`);
      throw new StatusError(status.CANCELLED, `the import was cut off; ${created} users were created`);
    }
    await flush();
    failed.sort((a, b) => a.index - b.index);
    return create(userV1.ImportUsersResponseSchema, {
      created: BigInt(created),
      unchanged: BigInt(unchanged),
      failed: failed.map((f) => ({ index: BigInt(f.index), code: f.code, message: f.message })),
    });
  }
}

/** The field rules name `user.email`; CreateUser's message names `email`. */
const withoutWrapper = (reason: string): string => reason.replace(/^user\./, '');

/** An item repeating an earlier item of the stream: CreateUser's status for it, naming that item. */
function withinStream(
  index: number,
  email: string,
  name: string,
  key: string,
  byEmail: ReadonlyMap<string, number>,
  byKey: ReadonlyMap<string, { index: number; email: string; name: string }>,
): Failure | 'unchanged' | undefined {
  const keyHolder = key ? byKey.get(key) : undefined;
  if (keyHolder) {
    if (keyHolder.email === email && keyHolder.name === name) return 'unchanged';
    return {
      index,
      code: statusName(status.FAILED_PRECONDITION),
      message: `idempotency_key ${JSON.stringify(key)} was already used by item ${keyHolder.index} of this stream with a different email or name`,
    };
  }
  const lower = email.toLowerCase();
  const earlier = byEmail.get(lower);
  if (earlier !== undefined) return { index, code: statusName(status.ALREADY_EXISTS), message: `a user with email ${email} already exists (item ${earlier} of this stream)` };
  return undefined;
}

/** A row the database skipped: CreateUser's answer for it, from the user holding its key or email. */
function againstDatabase(row: Pending, holders: readonly StoredUser[]): Failure | 'unchanged' {
  const keyHolder = row.idempotencyKey ? holders.find((h) => h.idempotencyKey === row.idempotencyKey) : undefined;
  if (keyHolder) {
    if (keyHolder.email === row.email && keyHolder.name === row.name) return 'unchanged';
    return {
      index: row.index,
      code: statusName(status.FAILED_PRECONDITION),
      message: `idempotency_key ${JSON.stringify(row.idempotencyKey)} was already used for user ${keyHolder.id} with a different email or name`,
    };
  }
  return { index: row.index, code: statusName(status.ALREADY_EXISTS), message: `a user with email ${row.email} already exists` };
}

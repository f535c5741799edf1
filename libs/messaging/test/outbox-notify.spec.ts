import type { SqlDatabase } from '../src/sql';
import { appendToOutbox, OutboxListener } from '../src';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-database';
import { userDeleted } from './support/events';

// The outbox trigger and its listener (real Postgres): a commit that writes
// events wakes the relay, with nothing for the service to call.
describe('OutboxListener (real Postgres)', () => {
  let database: ScratchDatabase;
  let db: SqlDatabase;
  let listener: OutboxListener | undefined;
  beforeAll(async () => {
    database = await createScratchDatabase('outbox_notify');
    db = database.open();
  });
  afterEach(() => listener?.stop());
  afterAll(() => database?.drop());

  /** A listener whose wake-ups can be awaited one by one. */
  async function listen(): Promise<{ next(): Promise<void>; count(): number }> {
    let calls = 0;
    let waiter: (() => void) | undefined;
    const url = db.url;
    listener = new OutboxListener({
      url,
      table: 'outbox',
      reconnectDelayMs: 50,
      onWritten: () => {
        calls++;
        waiter?.();
      },
    });
    const connected = new Promise<void>((resolve) => (waiter = resolve));
    await listener.start();
    await connected; // the first wake-up: after connecting (anything written before it is found by that cycle)
    return {
      next: () => new Promise<void>((resolve) => (waiter = resolve)),
      count: () => calls,
    };
  }

  it('is woken by each commit that writes to the outbox, once per statement', async () => {
    const wakes = await listen();
    const woken = wakes.next();
    await appendToOutbox(db, [userDeleted(), userDeleted(), userDeleted()]);
    await woken;
    expect(wakes.count()).toBe(2);
    const again = wakes.next();
    await db.transaction((tx) => appendToOutbox(tx, [userDeleted()]));
    await again;
    expect(wakes.count()).toBe(3);
  });

  it('comes back after its connection is killed, and wakes the relay then (writes may have been missed)', async () => {
    const wakes = await listen();
    const reconnected = wakes.next();
    await database.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'outbox-listener'`);
    await reconnected;
    const woken = wakes.next();
    await appendToOutbox(db, [userDeleted()]);
    await woken;
    expect(wakes.count()).toBe(3);
  });
});

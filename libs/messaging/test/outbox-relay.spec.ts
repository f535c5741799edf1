import { once } from 'node:events';
import { Client } from 'pg';
import type { SqlDatabase } from '../src/sql';
import { AmqpConnection, appendToOutbox, ConfirmPublisher, OutboxRelay, type RelayCycle } from '../src';
import { TcpProxy } from '@acme/testing';
import { createTestVhost, EventTap, type TestVhost } from '../src/testing';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-database';
import { USER_DELETED, userDeleted } from './support/events';

const EXCHANGE = 'acme.events';

describe('OutboxRelay (real RabbitMQ and Postgres)', () => {
  let vhost: TestVhost;
  let database: ScratchDatabase;
  let db: SqlDatabase;
  let tap: EventTap;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    [vhost, database] = await Promise.all([createTestVhost('relay'), createScratchDatabase('relay')]);
    db = database.open();
    tap = await EventTap.open(vhost.url, { exchange: EXCHANGE, routingKeys: ['#'] });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await database.query('TRUNCATE outbox');
    tap.messages.length = 0;
  });
  afterAll(async () => {
    await tap?.close();
    await database?.drop();
    await vhost?.delete();
  });

  /** A publisher on its own connection (optionally through `url`), connected. */
  async function publisher(url = vhost.url, name = 'relay-test'): Promise<{ connection: AmqpConnection; publisher: ConfirmPublisher }> {
    const connection = new AmqpConnection({ url, name, reconnectMaxDelayMs: 200 });
    const connected = once(connection, 'connect');
    await connection.start();
    await connected;
    cleanups.push(() => connection.close());
    return { connection, publisher: new ConfirmPublisher(connection, { exchange: EXCHANGE, appId: 'relay-test', confirmTimeoutMs: 5_000 }) };
  }

  const relayFor = (p: ConfirmPublisher, options: Partial<ConstructorParameters<typeof OutboxRelay>[2]> = {}, source = db) =>
    new OutboxRelay(source, p, { batchSize: 100, pollIntervalMs: 60_000, retryInitialDelayMs: 0, ...options });

  const outboxRows = () =>
    database.query<{ event_id: string; sent: boolean; attempts: number; last_error: string | null }>(
      'SELECT event_id, sent_time IS NOT NULL AS sent, attempts, last_error FROM outbox ORDER BY id',
    );

  /** Resolves once the relay's cycles have published `count` events in all. */
  function published(relays: OutboxRelay[], count: number): Promise<void> {
    let total = 0;
    return new Promise((resolve) => {
      const onCycle = (cycle: RelayCycle) => {
        total += cycle.published;
        if (total >= count) {
          relays.forEach((r) => r.off('cycle', onCycle));
          resolve();
        }
      };
      relays.forEach((r) => r.on('cycle', onCycle));
    });
  }

  it('publishes pending rows with confirms as protobuf events, and marks them sent', async () => {
    const events = [userDeleted(), userDeleted(), userDeleted()];
    await appendToOutbox(db, events);
    const { publisher: p } = await publisher();

    expect(await relayFor(p).relayOnce()).toEqual({ claimed: 3, published: 3, failed: 0 });

    expect((await outboxRows()).map((r) => r.sent)).toEqual([true, true, true]);
    const received = await tap.waitFor((m) => m.properties.type === USER_DELETED.type, 3);
    expect(received.map((m) => m.properties.messageId)).toEqual(events.map((e) => e.eventId));
    const [first] = received;
    expect(first!.routingKey).toBe('user.v1.deleted');
    expect(first!.properties).toMatchObject({ contentType: 'application/x-protobuf', deliveryMode: 2, appId: 'relay-test' });
    expect(typeof first!.properties.timestamp).toBe('number');
    expect(USER_DELETED.decode(first!.content)).toMatchObject({ eventId: events[0]!.eventId, userId: events[0]!.userId });
    // Nothing left to do.
    expect(await relayFor(p).relayOnce()).toEqual({ claimed: 0, published: 0, failed: 0 });
  });

  it('keeps rows whose publish failed, with the error and a retry time, and publishes them once the broker is back', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(vhost.url).port) });
    cleanups.push(() => proxy.cut());
    const { connection, publisher: p } = await publisher(vhost.urlVia(proxy.port));
    const relay = relayFor(p, { retryInitialDelayMs: 60_000 });
    const events = [userDeleted(), userDeleted()];
    await appendToOutbox(db, events);

    const lost = once(connection, 'disconnect');
    await proxy.cut();
    await lost;
    expect(await relay.relayOnce()).toEqual({ claimed: 2, published: 0, failed: 2 });
    const rows = await outboxRows();
    expect(rows.map((r) => [r.sent, r.attempts])).toEqual([
      [false, 1],
      [false, 1],
    ]);
    expect(rows[0]!.last_error).toMatch(/not connected to the broker/);
    // Not due yet: the retry waits out its backoff.
    expect(await relay.relayOnce()).toEqual({ claimed: 0, published: 0, failed: 0 });

    const back = once(connection, 'connect');
    await proxy.restore();
    await back;
    await database.query('UPDATE outbox SET next_attempt_time = now()');
    expect(await relay.relayOnce()).toEqual({ claimed: 2, published: 2, failed: 0 });
    await tap.waitFor((m) => events.some((e) => e.eventId === m.properties.messageId), 2);
  });

  it('while running, waits out a broker outage and drains the backlog when it returns', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(vhost.url).port) });
    cleanups.push(() => proxy.cut());
    const { connection, publisher: p } = await publisher(vhost.urlVia(proxy.port));
    const relay = relayFor(p, { batchSize: 7 });
    relay.start();
    cleanups.push(() => relay.stop());

    const lost = once(connection, 'disconnect');
    await proxy.cut();
    await lost;
    const events = Array.from({ length: 30 }, () => userDeleted());
    await appendToOutbox(db, events);
    relay.nudge();

    const drained = published([relay], events.length);
    await proxy.restore();
    await drained;
    await tap.barrier('test.barrier');
    for (const event of events) expect(tap.ofType(USER_DELETED.type, event.eventId)).toHaveLength(1);
    expect((await outboxRows()).every((r) => r.sent)).toBe(true);
  });

  it('two relays on one outbox never claim the same rows in a cycle (SKIP LOCKED)', async () => {
    const events = Array.from({ length: 20 }, () => userDeleted());
    await appendToOutbox(db, events);
    const { publisher: real } = await publisher();
    // Relay A's publisher stops in the middle of A's cycle (rows claimed, not yet published)
    // until B has run a whole cycle.
    let releaseA!: () => void;
    let aIsPublishing!: () => void;
    const aPublishing = new Promise<void>((resolve) => (aIsPublishing = resolve));
    const aMayGoOn = new Promise<void>((resolve) => (releaseA = resolve));
    const held = Object.create(real) as ConfirmPublisher;
    held.publishAll = async (batch) => {
      aIsPublishing();
      await aMayGoOn;
      return real.publishAll(batch);
    };
    const a = relayFor(held, { batchSize: 10 });
    const b = relayFor(real, { batchSize: 10 });

    const aCycle = a.relayOnce();
    await aPublishing;
    expect(await b.relayOnce()).toEqual({ claimed: 10, published: 10, failed: 0 });
    releaseA();
    expect(await aCycle).toEqual({ claimed: 10, published: 10, failed: 0 });

    await tap.barrier('test.barrier');
    for (const event of events) expect(tap.ofType(USER_DELETED.type, event.eventId)).toHaveLength(1);
    // A claimed the 10 oldest rows; B skipped them and took the next 10.
    expect(tap.ofType(USER_DELETED.type).slice(0, 10).map((m) => m.properties.messageId)).toEqual(events.slice(10).map((e) => e.eventId));
  });

  it('two running relays publish every event of a large backlog exactly once', async () => {
    const events = Array.from({ length: 300 }, () => userDeleted());
    await appendToOutbox(db, events);
    const [first, second] = [await publisher(vhost.url, 'relay-1'), await publisher(vhost.url, 'relay-2')];
    const relays = [relayFor(first.publisher, { batchSize: 10 }), relayFor(second.publisher, { batchSize: 10 })];
    const claimedBy = relays.map(() => 0);
    relays.forEach((r, i) => r.on('cycle', (c) => (claimedBy[i]! += c.claimed)));
    const drained = published(relays, events.length);
    relays.forEach((r) => r.start());
    cleanups.push(() => Promise.all(relays.map((r) => r.stop())));
    await drained;

    await tap.barrier('test.barrier');
    const ids = tap.ofType(USER_DELETED.type).map((m) => m.properties.messageId as string);
    expect(ids).toHaveLength(events.length);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.eventId)));
    expect(claimedBy[0]! + claimedBy[1]!).toBe(events.length);
    console.log(`two relays: ${claimedBy.join(' + ')} events`);
  });

  it('publishes again what was published but not marked when the relay died in between', async () => {
    const event = userDeleted();
    await appendToOutbox(db, [event]);
    // Make the mark wait for a lock this test holds, so the relay is stuck
    // between "confirmed by the broker" and "marked sent" until we kill its
    // database session.
    await database.query(`
      CREATE FUNCTION hold_outbox_mark() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NEW; END $$`);
    await database.query('CREATE TRIGGER hold_outbox_mark BEFORE UPDATE ON outbox FOR EACH ROW EXECUTE FUNCTION hold_outbox_mark()');
    cleanups.push(() => database.query('DROP TRIGGER IF EXISTS hold_outbox_mark ON outbox; DROP FUNCTION IF EXISTS hold_outbox_mark()'));
    const victim = database.open('relay-victim');
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('SELECT pg_advisory_lock(4242)');

    const { publisher: p } = await publisher();
    const dying = relayFor(p, {}, victim).relayOnce();
    await tap.waitFor((m) => m.properties.messageId === event.eventId);
    await database.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'relay-victim'`);
    await expect(dying).rejects.toThrow();
    await holder.query('SELECT pg_advisory_unlock(4242)');

    expect((await outboxRows()).map((r) => r.sent)).toEqual([false]);
    await database.query('DROP TRIGGER hold_outbox_mark ON outbox');
    expect(await relayFor(p).relayOnce()).toEqual({ claimed: 1, published: 1, failed: 0 });
    const copies = await tap.waitFor((m) => m.properties.messageId === event.eventId, 2);
    expect(copies.map((c) => USER_DELETED.decode(c.content).eventId)).toEqual([event.eventId, event.eventId]);
  });
});

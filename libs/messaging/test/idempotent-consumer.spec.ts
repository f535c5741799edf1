import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Options } from 'amqplib';
import type { SqlDatabase } from '../src/sql';
import type { userEventsV1 } from '@acme/contracts';
import {
  AmqpConnection,
  type ConsumeOutcome,
  DEAD_LETTER_HEADERS,
  type EventHandler,
  type EventTransaction,
  IdempotentConsumer,
  type IdempotentConsumerOptions,
  RejectEventError,
} from '../src';
import { TcpProxy } from '@acme/testing';
import { createTestVhost, EventTap, type TestVhost } from '../src/testing';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-database';
import { USER_DELETED, userDeleted } from './support/events';

const EXCHANGE = 'acme.events';
const QUEUE = 'test-service.user-events';
const DLQ = `${QUEUE}.dlq`;

type UserDeleted = userEventsV1.UserDeleted;

describe('IdempotentConsumer (real RabbitMQ and Postgres)', () => {
  let vhost: TestVhost;
  let database: ScratchDatabase;
  let db: SqlDatabase;
  let publisher: EventTap;
  let deadLetters: EventTap;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    [vhost, database] = await Promise.all([createTestVhost('consumer'), createScratchDatabase('consumer')]);
    db = database.open();
    publisher = await EventTap.open(vhost.url, { exchange: EXCHANGE, routingKeys: ['nothing.routes.here'] });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await database.query('TRUNCATE inbox, effects');
  });
  afterAll(async () => {
    await deadLetters?.close();
    await publisher?.close();
    await database?.drop();
    await vhost?.delete();
  });

  /** Records each event's effect as a row in `effects`, in the consumer's transaction. */
  const recordingHandler = (extra?: (event: UserDeleted, tx: EventTransaction) => Promise<void>): EventHandler<UserDeleted> => ({
    contract: USER_DELETED,
    async handle(event, tx) {
      await tx.query('INSERT INTO effects (event_id, user_id) VALUES ($1, $2) RETURNING id', [event.eventId, event.userId]);
      await extra?.(event, tx);
    },
  });

  async function startConsumer(
    handler: EventHandler<UserDeleted>,
    options: Partial<IdempotentConsumerOptions> = {},
    url = vhost.url,
  ): Promise<{ consumer: IdempotentConsumer; connection: AmqpConnection; outcomes: ConsumeOutcome[] }> {
    const connection = new AmqpConnection({ url, name: 'consumer-test', reconnectMaxDelayMs: 200 });
    const consumer = new IdempotentConsumer(connection, db, {
      name: 'test-service.user-events',
      exchange: EXCHANGE,
      queue: QUEUE,
      prefetch: 10,
      maxAttempts: 3,
      retryInitialDelayMs: 1,
      handlers: [handler],
      ...options,
    });
    const outcomes: ConsumeOutcome[] = [];
    consumer.on('outcome', (o) => outcomes.push(o));
    cleanups.push(async () => {
      await consumer.stop();
      await connection.close();
    });
    // Once subscribed, the queue and its bindings exist: what is published from now on reaches it.
    const consuming = once(consumer, 'consuming');
    await connection.start();
    consumer.start();
    await consuming;
    return { consumer, connection, outcomes };
  }

  /** Resolves with the next `count` outcomes the consumer reports. */
  function outcomes(consumer: IdempotentConsumer, count: number): Promise<ConsumeOutcome[]> {
    const seen: ConsumeOutcome[] = [];
    return new Promise((resolve) => {
      const listener = (o: ConsumeOutcome) => {
        seen.push(o);
        if (seen.length === count) {
          consumer.off('outcome', listener);
          resolve(seen);
        }
      };
      consumer.on('outcome', listener);
    });
  }

  const publish = (event: ReturnType<typeof userDeleted>, overrides: Options.Publish = {}, content = Buffer.from(event.payload)) =>
    publisher.publish(event.routingKey, content, {
      contentType: 'application/x-protobuf',
      type: event.type,
      messageId: event.eventId,
      persistent: true,
      ...overrides,
    });

  const effects = () => database.query<{ event_id: string; user_id: string }>('SELECT event_id, user_id FROM effects ORDER BY id');

  async function openDeadLetters(): Promise<EventTap> {
    deadLetters ??= await EventTap.open(vhost.url, { exchange: EXCHANGE, queue: DLQ });
    return deadLetters;
  }

  it('applies an event once, and acknowledges a second delivery of it without applying it again', async () => {
    const { consumer } = await startConsumer(recordingHandler());
    const event = userDeleted();
    const done = outcomes(consumer, 2);
    await publish(event);
    await publish(event); // the same message again, as after a relay crash between publish and mark

    expect((await done).map((o) => o.kind)).toEqual(['processed', 'duplicate']);
    expect(await effects()).toEqual([{ event_id: event.eventId, user_id: event.userId }]);
    expect(await database.query('SELECT consumer, event_id, event_type FROM inbox')).toEqual([
      { consumer: 'test-service.user-events', event_id: event.eventId, event_type: 'acme.user.v1.UserDeleted' },
    ]);
  });

  it('dead-letters what it cannot understand, with the reason in headers, and keeps consuming', async () => {
    const dlq = await openDeadLetters();
    const { consumer } = await startConsumer(recordingHandler());
    const bad = [
      { why: 'undecodable', event: userDeleted(), content: Buffer.from('this is not protobuf'), overrides: {} },
      { why: 'unsupported-content-type', event: userDeleted(), overrides: { contentType: 'application/json' } },
      { why: 'unsupported-type', event: userDeleted(), overrides: { type: 'acme.user.v1.UserRenamed' } },
      { why: 'invalid-message-id', event: userDeleted(), overrides: { messageId: 'not-a-uuid' } },
      { why: 'undecodable', event: userDeleted(), overrides: { messageId: randomUUID() } }, // body's event_id differs
    ];
    const good = userDeleted();
    const done = outcomes(consumer, bad.length + 1);
    for (const b of bad) await publish(b.event, b.overrides, 'content' in b ? b.content : undefined);
    await publish(good);

    const seen = await done;
    expect(seen.map((o) => (o.kind === 'dead-lettered' ? o.errorKind : o.kind))).toEqual([...bad.map((b) => b.why), 'processed']);
    expect(await effects()).toEqual([{ event_id: good.eventId, user_id: good.userId }]);

    const letters = await dlq.waitFor(() => true, bad.length, 'dead letters');
    const garbage = letters[0]!;
    expect(garbage.content.toString()).toBe('this is not protobuf');
    expect(garbage.properties.messageId).toBe(bad[0]!.event.eventId);
    expect(garbage.properties.type).toBe('acme.user.v1.UserDeleted');
    expect(garbage.properties.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.kind]: 'undecodable',
      [DEAD_LETTER_HEADERS.consumer]: 'test-service.user-events',
      [DEAD_LETTER_HEADERS.originalExchange]: EXCHANGE,
      [DEAD_LETTER_HEADERS.originalRoutingKey]: 'user.v1.deleted',
    });
    expect(String(garbage.properties.headers?.[DEAD_LETTER_HEADERS.error])).toMatch(/body is not a valid acme\.user\.v1\.UserDeleted/);
    expect(String(letters[1]!.properties.headers?.[DEAD_LETTER_HEADERS.error])).toMatch(/content-type is "application\/json"/);
    expect(String(letters[2]!.properties.headers?.[DEAD_LETTER_HEADERS.error])).toMatch(/type is "acme\.user\.v1\.UserRenamed"/);
    dlq.messages.length = 0;
  });

  it('retries a failing handler, rolls back each failed attempt, and dead-letters after the last one', async () => {
    const dlq = await openDeadLetters();
    let calls = 0;
    const { consumer } = await startConsumer(
      recordingHandler(async () => {
        calls += 1;
        throw new Error('constraint "orders_check" violated');
      }),
      { maxAttempts: 3 },
    );
    const event = userDeleted();
    const done = outcomes(consumer, 1);
    await publish(event);

    expect(await done).toEqual([expect.objectContaining({ kind: 'dead-lettered', errorKind: 'failed', eventId: event.eventId })]);
    expect(calls).toBe(3);
    expect(await effects()).toEqual([]); // every attempt rolled back
    expect(await database.query('SELECT 1 FROM inbox')).toEqual([]);
    const [letter] = await dlq.waitFor((m) => m.properties.messageId === event.eventId, 1, 'dead letter');
    expect(letter!.properties.headers?.[DEAD_LETTER_HEADERS.error]).toBe('constraint "orders_check" violated (failed 3 attempts)');
    dlq.messages.length = 0;
  });

  it('dead-letters at once an event the handler rejects as invalid', async () => {
    let calls = 0;
    const { consumer } = await startConsumer(
      recordingHandler(async (event) => {
        calls += 1;
        throw new RejectEventError(`user_id ${JSON.stringify(event.userId)} is not a UUID`);
      }),
    );
    const done = outcomes(consumer, 1);
    await publish(userDeleted('nope'));
    expect(await done).toEqual([expect.objectContaining({ kind: 'dead-lettered', errorKind: 'rejected', reason: 'user_id "nope" is not a UUID' })]);
    expect(calls).toBe(1);
  });

  it('retries transient failures (database unreachable) without limit and without dead-lettering', async () => {
    let failuresLeft = 5;
    const { consumer } = await startConsumer(
      recordingHandler(async () => {
        if (failuresLeft-- > 0) throw new Error('Connection terminated unexpectedly');
      }),
      { maxAttempts: 1, isTransient: (e) => e instanceof Error && /Connection terminated/.test(e.message) },
    );
    const event = userDeleted();
    const done = outcomes(consumer, 1);
    await publish(event);
    expect(await done).toEqual([expect.objectContaining({ kind: 'processed', eventId: event.eventId })]);
    expect(await effects()).toHaveLength(1);
  });

  it('comes back after the connection drops and processes what was published meanwhile', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(vhost.url).port) });
    cleanups.push(() => proxy.cut());
    const { consumer, connection } = await startConsumer(recordingHandler(), {}, vhost.urlVia(proxy.port));

    const lost = once(connection, 'disconnect');
    await proxy.cut();
    await lost;
    const events = [userDeleted(), userDeleted(), userDeleted()];
    for (const event of events) await publish(event); // the durable queue keeps them
    const done = outcomes(consumer, events.length);
    await proxy.restore();

    expect((await done).map((o) => o.kind)).toEqual(['processed', 'processed', 'processed']);
    expect((await effects()).map((e) => e.event_id)).toEqual(events.map((e) => e.eventId));
  });

  it('on stop, finishes the message in progress and leaves the others queued for the next consumer', async () => {
    let entered!: () => void;
    let release!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const mayFinish = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const { consumer } = await startConsumer(
      recordingHandler(async () => {
        if (!first) return;
        first = false;
        entered();
        await mayFinish;
      }),
    );
    const events = [userDeleted(), userDeleted(), userDeleted()];
    for (const event of events) await publish(event);
    await inHandler;

    const stopped = consumer.stop();
    release();
    await stopped;
    expect((await effects()).map((e) => e.event_id)).toEqual([events[0]!.eventId]);

    const { consumer: next } = await startConsumer(recordingHandler());
    const rest = await outcomes(next, 2);
    expect(rest.map((o) => o.kind)).toEqual(['processed', 'processed']);
    expect(new Set(rest.map((o) => o.eventId))).toEqual(new Set([events[1]!.eventId, events[2]!.eventId]));
    expect((await effects()).map((e) => e.event_id).sort()).toEqual(events.map((e) => e.eventId).sort());
  });

  it('subscribes again by itself after the broker closes every connection, as on a restart', async () => {
    const { consumer } = await startConsumer(recordingHandler());
    const again = once(consumer, 'consuming');
    await vhost.closeConnections('broker restart (test)');
    await again;

    await publisher.close(); // closed by the broker too: open a new one
    publisher = await EventTap.open(vhost.url, { exchange: EXCHANGE, routingKeys: ['nothing.routes.here'] });
    const event = userDeleted();
    const done = outcomes(consumer, 1);
    await publish(event);
    expect(await done).toEqual([expect.objectContaining({ kind: 'processed', eventId: event.eventId })]);
  });
});

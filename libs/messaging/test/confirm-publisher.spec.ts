import { once } from 'node:events';
import { connect } from 'amqplib';
import { AmqpConnection, ConfirmPublisher } from '../src';
import { TcpProxy } from '@acme/testing';
import { createTestVhost, EventTap, type TestVhost } from '../src/testing';
import { USER_DELETED, userDeleted } from './support/events';

const EXCHANGE = 'acme.events';

const outgoing = () => ({ ...userDeleted(), recordTime: new Date() });

describe('AmqpConnection and ConfirmPublisher (real RabbitMQ)', () => {
  let vhost: TestVhost;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost('publisher');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => vhost?.delete());

  async function connected(url = vhost.url): Promise<{ connection: AmqpConnection; publisher: ConfirmPublisher }> {
    const connection = new AmqpConnection({ url, name: 'publisher-test', reconnectMaxDelayMs: 200 });
    cleanups.push(() => connection.close());
    const up = once(connection, 'connect');
    await connection.start();
    await up;
    return { connection, publisher: new ConfirmPublisher(connection, { exchange: EXCHANGE, appId: 'publisher-test', confirmTimeoutMs: 5_000 }) };
  }

  async function tap(): Promise<EventTap> {
    const t = await EventTap.open(vhost.url, { exchange: EXCHANGE, routingKeys: ['#'] });
    cleanups.push(() => t.close());
    return t;
  }

  it('fails every publish at once, without waiting, while the broker cannot be reached', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(vhost.url).port) });
    await proxy.cut(); // nothing listens on the proxy's port now
    const connection = new AmqpConnection({ url: vhost.urlVia(proxy.port), name: 'publisher-test', reconnectMaxDelayMs: 200 });
    cleanups.push(() => connection.close());
    await connection.start();
    const publisher = new ConfirmPublisher(connection, { exchange: EXCHANGE, appId: 'publisher-test', confirmTimeoutMs: 5_000 });

    expect(publisher.usable).toBe(false);
    expect(await publisher.publishAll([outgoing(), outgoing()])).toEqual([
      { ok: false, error: 'not connected to the broker' },
      { ok: false, error: 'not connected to the broker' },
    ]);
  });

  it('reconnects by itself when the broker closes the connection (as on a restart), and publishes again', async () => {
    const { connection, publisher } = await connected();
    expect(await publisher.publishAll([outgoing()])).toEqual([{ ok: true }]);

    const dropped = once(connection, 'disconnect');
    const back = once(connection, 'connect');
    await vhost.closeConnections('broker restart (test)');
    const [reason] = await dropped;
    expect(String(reason)).toMatch(/CONNECTION_FORCED|broker restart/);
    await back;

    const t = await tap(); // opened after the forced close, which ends every connection to the vhost
    const event = outgoing();
    expect(await publisher.publishAll([event])).toEqual([{ ok: true }]);
    await t.waitFor((m) => m.properties.messageId === event.eventId);
  });

  it('opens a new channel after a channel error and declares the exchange again', async () => {
    const { publisher } = await connected();
    expect(await publisher.publishAll([outgoing()])).toEqual([{ ok: true }]);

    // Someone deletes the exchange: the next publish closes the channel with 404 NOT_FOUND.
    const admin = await connect(vhost.url);
    await (await admin.createChannel()).deleteExchange(EXCHANGE);
    await admin.close();
    const [failed] = await publisher.publishAll([outgoing()]);
    expect(failed).toMatchObject({ ok: false });
    expect(failed!.ok || failed!.error).toMatch(/NOT_FOUND|closed/);

    const t = await tap();
    const event = outgoing();
    expect(await publisher.publishAll([event])).toEqual([{ ok: true }]);
    const [received] = await t.waitFor((m) => m.properties.messageId === event.eventId);
    expect(USER_DELETED.decode(received!.content).eventId).toBe(event.eventId);
  });

  it('holds back while the broker blocks the connection (flow control) and resumes when it unblocks', async () => {
    const { connection, publisher } = await connected();
    // What amqplib emits when the broker sends connection.blocked (memory or disk alarm);
    // raising a real alarm would stall every other user of this machine's broker.
    const model = connection.current!;
    model.emit('blocked', 'low on memory');
    expect(publisher.usable).toBe(false);
    expect(await publisher.publishAll([outgoing()])).toEqual([{ ok: false, error: 'the broker blocks publishing (low on memory)' }]);

    const usable = publisher.whenUsable(new AbortController().signal);
    model.emit('unblocked');
    await usable;
    expect(await publisher.publishAll([outgoing()])).toEqual([{ ok: true }]);
  });
});

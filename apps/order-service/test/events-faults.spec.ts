import { Client } from 'pg';
import { EVENTS } from '@acme/contracts';
import { buildServices, EventsSystem, waitForLog } from './events-system';

jest.setTimeout(90_000);

const fromUserService = (system: EventsSystem, userId: string) =>
  system.tap
    .ofType(EVENTS.userDeleted.type)
    .filter((m) => m.properties.appId === 'user-service' && EVENTS.userDeleted.decode(m.content).userId === userId);

// Failures around the outbox, with real processes: no broker configured, a
// relay killed between publishing and marking, two relays on one outbox.
describe('events under failure (real processes, RabbitMQ, Postgres)', () => {
  let system: EventsSystem;

  beforeAll(async () => {
    await buildServices();
    // user-service starts WITHOUT a broker; order-service has one.
    system = await EventsSystem.start({ userServiceEnv: { AMQP_URL: '' } });
  });
  afterAll(() => system?.stop());

  it('without a broker, user-service says so, keeps the events, and publishes them once it has one', async () => {
    const [noBroker] = system.userServices;
    expect(noBroker!.logs).toContain('AMQP_URL is not set: events are kept in the outbox table and not published');
    const user = await system.userWithOrders(2);
    await system.users.deleteUser({ id: user.userId });
    const pending = await system.userDb.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE sent_time IS NULL');
    expect(pending[0]?.n).toBe(1);

    expect(await noBroker!.stop()).toBe(0); // SIGTERM: clean shutdown
    const cancelled = system.cancellations(user.orderIds);
    await system.restartUserService(0); // same port, now with AMQP_URL
    await cancelled;
    expect(fromUserService(system, user.userId)).toHaveLength(1);
  });

  it('a relay killed between publishing and marking publishes again, and the inbox absorbs the duplicate', async () => {
    const user = await system.userWithOrders(1);
    // Hold every outbox mark on a lock this test owns: user-service's relay
    // publishes UserDeleted, gets the confirm, and then waits in its UPDATE.
    const holder = new Client({ connectionString: system.userDb.url });
    await holder.connect();
    try {
      await holder.query(`
        CREATE FUNCTION hold_outbox_mark() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NEW; END $$;
        CREATE TRIGGER hold_outbox_mark BEFORE UPDATE ON outbox FOR EACH ROW EXECUTE FUNCTION hold_outbox_mark();
        SELECT pg_advisory_lock(4242);`);
      const firstCopy = system.cancellations(user.orderIds);
      await system.users.deleteUser({ id: user.userId });
      await firstCopy; // published, delivered and applied, but not marked sent

      const victim = system.system.process('user-service', 0);
      expect(await victim.stop('SIGKILL')).toBeNull();
      // Its database session still waits in the UPDATE; released, it finds the client gone and rolls back.
      await holder.query(`SELECT pg_advisory_unlock(4242);
        DROP TRIGGER hold_outbox_mark ON outbox; DROP FUNCTION hold_outbox_mark();`);
    } finally {
      await holder.end();
    }
    const [row] = await system.userDb.query<{ event_id: string; sent: boolean }>(
      'SELECT event_id, sent_time IS NOT NULL AS sent FROM outbox ORDER BY id DESC LIMIT 1',
    );
    expect(row).toMatchObject({ sent: false });

    const duplicateAbsorbed = waitForLog(system.orderService, `${row!.event_id} was already processed`);
    await system.restartUserService(0);
    await duplicateAbsorbed;
    const copies = fromUserService(system, user.userId);
    expect(copies.map((m) => m.properties.messageId)).toEqual([row!.event_id, row!.event_id]);
    const announced = await system.orderDb.query<{ payload: Buffer }>(`SELECT payload FROM outbox WHERE event_type = 'acme.order.v1.OrderCancelled'`);
    expect(announced.map((r) => EVENTS.orderCancelled.decode(r.payload)).filter((e) => e.userId === user.userId)).toHaveLength(1);
  });

  it('two user-service replicas on one outbox publish each event once, and lose none', async () => {
    await system.addUserService(); // a second replica, same database
    const replicas = system.userServices.filter((s) => s.running);
    expect(replicas).toHaveLength(2);
    const users = await Promise.all(Array.from({ length: 40 }, () => system.userWithOrders(0)));

    // Let a backlog build up while the broker is away, then let both relays race for it.
    const lost = Promise.all(replicas.map((r) => waitForLog(r, 'connection to')));
    await system.proxy.cut();
    await lost;
    for (const user of users) await system.users.deleteUser({ id: user.userId });
    const arrived = system.tap.waitFor(
      (m) => m.properties.appId === 'user-service' && users.some((u) => EVENTS.userDeleted.decode(m.content).userId === u.userId),
      users.length,
      'UserDeleted events',
    );
    await system.proxy.restore();
    await arrived;

    await system.tap.barrier('test.barrier'); // nothing published before this point is still on its way
    for (const user of users) expect(fromUserService(system, user.userId)).toHaveLength(1);
    // A graceful stop lets each relay commit the marks of its last cycle: then nothing may be left.
    expect(await Promise.all(replicas.map((r) => r.stop()))).toEqual([0, 0]);
    const pending = await system.userDb.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE sent_time IS NULL');
    expect(pending[0]?.n).toBe(0);
  });
});

import { ServiceStack, type TcpProxy } from '@acme/testing';
import { SERVICES } from '@acme/contracts';
import { HealthClient } from '@acme/grpc-kit';
import { expectStatus, status } from './support/expect-status';

// user-service loses its database (network cut between them), then gets it back.
describe('user-service when its database is unreachable', () => {
  let proxy: TcpProxy;
  let system: ServiceStack;
  let health: HealthClient;

  beforeAll(async () => {
    system = await ServiceStack.start({
      proxies: { databasesOf: ['user-service'] },
      userEnv: { HEALTH_CHECK_INTERVAL_MS: '200', DATABASE_CONNECT_TIMEOUT_MS: '500' },
    });
    proxy = system.system.databaseProxy('user-service');
    health = new HealthClient(`127.0.0.1:${system.userPort}`);
  });
  afterAll(async () => {
    health?.close();
    await system?.stop();
  });

  it('reports NOT_SERVING and answers UNAVAILABLE while the database is gone, and recovers by itself', async () => {
    const user = await system.users.createUser({ email: 'outage@example.com', name: 'Outage', idempotencyKey: '' });
    expect(await health.check(SERVICES.user.typeName)).toBe('SERVING');

    await proxy.cut();
    await health.waitFor('NOT_SERVING', SERVICES.user.typeName, 10_000);
    expect(await health.check('')).toBe('NOT_SERVING'); // the overall status follows
    await expectStatus(system.users.getUser({ id: user.id }), status.UNAVAILABLE, 'database unavailable, retry later');
    await expectStatus(system.users.createUser({ email: 'x@example.com', name: 'X', idempotencyKey: '' }), status.UNAVAILABLE);

    await proxy.restore();
    await health.waitFor('SERVING', SERVICES.user.typeName, 10_000);
    expect(await system.users.getUser({ id: user.id })).toEqual(user);
    expect(system.userService.running).toBe(true); // recovered without a restart
  });
});

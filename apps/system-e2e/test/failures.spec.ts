import { appScript, ServiceProcess, ServiceStack } from '@acme/testing';
import { expectStatus, status } from './support/expect-status';

// What order-service tells its callers when user-service misbehaves, and that
// nothing is ever written when CreateOrder fails.
describe('order-service when user-service fails', () => {
  let system: ServiceStack;
  let userId: string;
  // Longer than the retry envelope of GetUser (4 attempts, backoff 50..200 ms),
  // so a user-service that is down surfaces as UNAVAILABLE, not as a timeout.
  const USER_DEADLINE_MS = 1_000;
  const request = () => ({
    userId,
    idempotencyKey: `k-${Math.random()}`,
    items: [{ sku: 'A', quantity: 1, unitPriceCents: 100n }],
  });

  beforeAll(async () => {
    system = await ServiceStack.start({ userServiceDeadlineMs: USER_DEADLINE_MS });
    userId = (await system.users.createUser({ email: 'f@example.com', name: 'F', idempotencyKey: '' })).id;
  });
  afterAll(() => system?.stop());

  it('answers DEADLINE_EXCEEDED when user-service is too slow, and writes no order', async () => {
    const before = await system.orderRowCount();
    // SIGSTOP freezes the process: its connections stay open but nothing answers.
    system.userService.child.kill('SIGSTOP');
    try {
      await expectStatus(system.orders.createOrder(request()), status.DEADLINE_EXCEEDED, /user-service did not answer within the deadline/);
    } finally {
      system.userService.child.kill('SIGCONT');
    }
    expect(await system.orderRowCount()).toBe(before);
  });

  it('answers UNAVAILABLE when user-service is down, and writes no order', async () => {
    const before = await system.orderRowCount();
    expect(await system.userService.stop('SIGTERM')).toBe(0); // graceful shutdown exits 0
    await expectStatus(system.orders.createOrder(request()), status.UNAVAILABLE, /user-service is unavailable/);
    expect(await system.orderRowCount()).toBe(before);
  });

});

describe('startup configuration errors', () => {
  it('stops the process with exit code 78 and names every bad variable', async () => {
    const failure = ServiceProcess.run('user-service', appScript('user-service', 'serve'), {
      GRPC_PORT: 'eighty',
      DATABASE_URL: 'mysql://nope',
      PAGE_TOKEN_SECRET: 'short',
    });
    await expect(failure).rejects.toThrow(/exited with code 78/);
    const message = await failure.catch((error: Error) => error.message);
    expect(message).toContain('GRPC_PORT: expected a port number 1..65535 (got "eighty")');
    expect(message).toContain('DATABASE_URL: expected a postgres:// URL');
    expect(message).toContain('PAGE_TOKEN_SECRET: expected at least 32 characters');
  });

  it('requires secrets in production', async () => {
    const failure = ServiceProcess.run('order-service', appScript('order-service', 'serve'), { NODE_ENV: 'production' });
    await expect(failure).rejects.toThrow(/PAGE_TOKEN_SECRET: required in production \(not set\)/);
  });

  it('refuses the development secrets this repository ships when it runs as production', async () => {
    // The values docker-compose.yml and the dev overlay use, with the images' NODE_ENV.
    const failure = ServiceProcess.run('user-service', appScript('user-service', 'serve'), {
      NODE_ENV: 'production',
      PAGE_TOKEN_SECRET: 'dev-only-user-page-token-secret-change-me',
      DATABASE_URL: 'postgres://acme_users:dev-only-user-db-password@127.0.0.1:1/acme_users',
    });
    await expect(failure).rejects.toThrow(/exited with code 78/);
    const message = await failure.catch((error: Error) => error.message);
    expect(message).toContain('PAGE_TOKEN_SECRET: holds a development value (it contains "dev-only"); production needs its own');
    expect(message).toContain('DATABASE_URL: holds a development value');
    expect(message).not.toContain('change-me');
  });
});

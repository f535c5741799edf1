import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthClient } from '../client/health-client';
import { GrpcHealth, LIVENESS_SERVICE_NAME, type ReadinessCheck } from './health';

// GrpcHealth served by a real grpc-js server and read back by a real client.
describe('GrpcHealth', () => {
  let server: Server;
  let client: HealthClient;
  let databaseUp = true;
  const database: ReadinessCheck = {
    name: 'database',
    check: async () => {
      if (!databaseUp) throw new Error('connect ECONNREFUSED');
    },
  };
  const health = new GrpcHealth({ serviceNames: ['acme.test.v1.TestService'], intervalMs: 60_000 }, [database]);

  beforeAll(async () => {
    server = new Server();
    health.implementation.addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    client = new HealthClient(`127.0.0.1:${port}`);
  });
  afterAll(() => {
    health.markShuttingDown();
    client.close();
    server.forceShutdown();
  });

  it('is NOT_SERVING until the readiness checks have passed once, but alive from the start', async () => {
    expect(await client.check('')).toBe('NOT_SERVING');
    expect(await client.check(LIVENESS_SERVICE_NAME)).toBe('SERVING');
    await health.start();
    expect(await client.check('')).toBe('SERVING');
    expect(await client.check('acme.test.v1.TestService')).toBe('SERVING');
    expect(await client.check('acme.unknown.v1.Other')).toBe('SERVICE_UNKNOWN');
  });

  it('follows its dependencies for readiness, never for liveness', async () => {
    databaseUp = false;
    expect(await health.runChecks()).toBe('NOT_SERVING');
    expect(await client.check('acme.test.v1.TestService')).toBe('NOT_SERVING');
    expect(await client.check(LIVENESS_SERVICE_NAME)).toBe('SERVING');
    databaseUp = true;
    expect(await health.runChecks()).toBe('SERVING');
    expect(await client.check('')).toBe('SERVING');
  });

  it('reports NOT_SERVING everywhere once shutting down, whatever the checks say', async () => {
    const watched = client.waitFor('NOT_SERVING', LIVENESS_SERVICE_NAME, 5_000);
    health.markShuttingDown();
    await watched;
    expect(await health.runChecks()).toBe('NOT_SERVING');
    expect(await client.check('')).toBe('NOT_SERVING');
  });
});

import { createServer } from 'node:net';
import { type MetricsEndpoint, startMetrics } from '@acme/telemetry';
import { countedCall, RpcDurations } from './rpc-metrics';

describe('countedCall', () => {
  it.each([
    ['/acme.user.v1.UserService/GetUser', true],
    ['/grpc.health.v1.Health/Check', false],
    ['/grpc.health.v1.Health/Watch', false],
    ['/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', false],
    ['/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo', false],
  ])('%s -> %s', (path, counted) => expect(countedCall(path)).toBe(counted));
});

// (@acme/testing's freePort would make grpc-kit and testing depend on each other.)
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

// Through the real provider and Prometheus endpoint, as a scrape sees them.
describe('RpcDurations on the metrics endpoint', () => {
  let endpoint: MetricsEndpoint;
  let url: string;

  beforeAll(async () => {
    endpoint = startMetrics({ serviceName: 'rpc-metrics-test', host: '127.0.0.1', port: await freePort() });
    const listening = await endpoint.listening;
    if (!('url' in listening)) throw new Error(listening.error);
    url = listening.url;
  });
  afterAll(() => endpoint?.shutdown());

  it('records rpc.server.duration in ms by service, method and status code, with a 300 ms bucket', async () => {
    const durations = new RpcDurations('server');
    durations.record('/acme.user.v1.UserService/GetUser', 0, 2);
    durations.record('/acme.user.v1.UserService/GetUser', 0, 400);
    durations.record('/acme.user.v1.UserService/GetUser', 5, 1);
    const text = await (await fetch(url)).text();
    const labels = 'rpc_system="grpc",rpc_service="acme.user.v1.UserService",rpc_method="GetUser"';
    expect(text).toContain(`rpc_server_duration_count{${labels},rpc_grpc_status_code="0"} 2`);
    expect(text).toContain(`rpc_server_duration_count{${labels},rpc_grpc_status_code="5"} 1`);
    expect(text).toContain(`rpc_server_duration_bucket{${labels},rpc_grpc_status_code="0",le="300"} 1`);
    expect(text).toContain('target_info{service_name="rpc-metrics-test"');
  });
});

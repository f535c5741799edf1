import { freshTestDatabases, launchSystem, type Database, type RunningSystem, type ServiceProcess } from '@acme/testing';
import { benchProcessEnv, cpuProfileArgs, logFileOutput } from './bench-system';
import { telemetryEnv } from './telemetry-env';

/** user-service and order-service of the Streaming scenario, on databases of their own. */
export interface StreamingStack {
  readonly userService: ServiceProcess;
  readonly orderService: ServiceProcess;
  /** http://host:port of each, for raw HTTP/2 clients. */
  readonly userOrigin: string;
  readonly orderOrigin: string;
  /** order-service's Prometheus endpoint (its live-subscription gauge is the streams' settle condition). */
  readonly orderMetricsUrl: string;
  readonly users: Database;
  readonly orders: Database;
  stop(): Promise<void>;
}

/**
 * The services the streams run on, launched like the main product stack
 * (same environment, from the manifests) but on fresh databases, so the
 * request/response scenarios' rows and history do not weigh on them, and
 * with two differences, both for the measurement:
 * - order-service serves metrics (the telemetry 'metrics' mode), for the
 *   order_watch.subscriptions gauge;
 * - GRPC_MAX_CONNECTION_AGE_MS is an hour instead of a minute: the bench's
 *   watchers hold their streams and do not reconnect, which a WatchOrders
 *   client does after the GOAWAY (resuming from its last token); a minute
 *   would end some connections in the middle of a measurement.
 * GRPC_MAX_CONCURRENT_STREAMS stays at its default: the watchers open as
 * many connections as the server's SETTINGS ask for.
 */
export async function startStreamingStack(options: { logDir: string; profileDir?: string }, log: (line: string) => void): Promise<StreamingStack> {
  const metrics = await telemetryEnv('metrics', 'order-service', undefined);
  const output = logFileOutput(options.logDir);
  const nodeArgs = cpuProfileArgs(options.profileDir);
  const system: RunningSystem = await launchSystem({
    apps: ['user-service', 'order-service'],
    databases: freshTestDatabases('bench_streaming'),
    env: { ...benchProcessEnv(), GRPC_MAX_CONNECTION_AGE_MS: String(3_600_000) },
    appEnv: { 'order-service': metrics },
    output: (name) => output(`${name}@streaming`),
    nodeArgs: (name) => nodeArgs(`${name}@streaming`),
  });
  const userService = system.process('user-service');
  const orderService = system.process('order-service');
  for (const [name, process] of [['user-service', userService], ['order-service', orderService]] as const) {
    log(`${name}@streaming ready on ${system.address(name)} after ${Math.round(process.readyAfterMs)} ms (pid ${process.pid})`);
  }
  return {
    userService,
    orderService,
    userOrigin: `http://${system.address('user-service')}`,
    orderOrigin: `http://${system.address('order-service')}`,
    orderMetricsUrl: `http://${metrics['METRICS_HOST']}:${metrics['METRICS_PORT']}/metrics`,
    users: system.database('user-service'),
    orders: system.database('order-service'),
    stop: () => system.stop(),
  };
}

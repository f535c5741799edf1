import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DEPLOYMENT_ENVIRONMENT_VAR } from '@acme/config';
import { freePort, givenDatabases, launchSystem, ServiceProcess, type ProcessEnv, type ProcessOutput, type RunningSystem, type ServiceProcessOptions } from '@acme/testing';
import type { SystemName, TelemetryMode } from '../model';
import { type BaselineKey, baselineServer, BASELINE_KEYS } from './baseline-servers';
import type { BenchDatabases } from './databases';
import { OtlpSink } from './otlp-sink';
import { telemetryEnv } from './telemetry-env';

/** The product's apps the benchmark runs, as their manifests name them. */
const PRODUCT_KEYS = ['user-service', 'order-service', 'api-gateway'] as const;
type ProductKey = (typeof PRODUCT_KEYS)[number];
/** A product stack with telemetry on (the Telemetry scenario), beside the one every other variant uses. */
export type TelemetryStack = Exclude<TelemetryMode, 'off'>;
type StackKey = `${ProductKey}@${TelemetryStack}`;

/** The servers every run has: the product with telemetry off, and the raw baseline. */
type CoreKey = ProductKey | BaselineKey;
/** Every server process the benchmark runs. */
export type ProcessKey = CoreKey | StackKey;

/** The process key of an app in the stack of a telemetry mode. */
export const productKey = (app: ProductKey, telemetry: TelemetryMode = 'off'): ProductKey | StackKey =>
  telemetry === 'off' ? app : `${app}@${telemetry}`;

export const systemOf = (key: ProcessKey): SystemName => {
  const app = key.split('@')[0];
  return app === 'api-gateway' ? 'gateway' : app === 'baseline-user' || app === 'baseline-order' ? 'baseline' : 'product';
};

export const telemetryOf = (key: ProcessKey): TelemetryMode => (key.split('@')[1] as TelemetryStack | undefined) ?? 'off';

export interface BenchSystem {
  readonly processes: Record<CoreKey, ServiceProcess> & Partial<Record<StackKey, ServiceProcess>>;
  readonly ports: Record<CoreKey, number> & Partial<Record<StackKey, number>>;
  /** What the telemetry stacks exported (undefined without a tracing stack). */
  readonly otlpSink?: OtlpSink;
  /** How to start one more instance of a server on `port`, beside the running ones (its upstreams). */
  instanceOptions(key: CoreKey, port: number): Omit<ServiceProcessOptions, 'name'>;
  stop(): Promise<void>;
}

/** What every product process the benchmark starts runs with (one fresh page-token secret per call). */
export function benchProcessEnv(): ProcessEnv {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    PAGE_TOKEN_SECRET: randomBytes(32).toString('hex'),
    // The load generator is one client at thousands of requests a second: the gateway's per-client limit would refuse it.
    RATE_LIMIT_MAX: '0',
    // The bare call path, as the raw baseline has it: no token is checked or
    // forwarded (what AUTH_MODE=off is for). Production refuses off, so the
    // configuration checks are told this is not production; the processes
    // still run with NODE_ENV=production (and the identity provider, which
    // launchSystem starts as everyone's upstream, agrees to start).
    AUTH_MODE: 'off',
    [DEPLOYMENT_ENVIRONMENT_VAR]: 'development',
  };
}

/** Each server's output goes to its own file in `logDir`. */
export const logFileOutput = (logDir: string) => (name: string): ProcessOutput => ({ file: join(logDir, `${name}.log`) });

/** With `profileDir`, a server runs with --cpu-prof, its profiles in a folder of its own. */
export const cpuProfileArgs = (profileDir: string | undefined) => (name: string) =>
  profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : undefined;

/**
 * Starts the product (launchSystem, from the apps' manifests) and the raw
 * baseline side by side on free loopback ports. The services run as in
 * production (NODE_ENV=production, LOG_LEVEL=info, so the gateway writes its
 * access log), without a broker: OrderCreated rows wait in the outbox, and
 * publishing them is not part of the measured path. Each server's output goes
 * to its own file in `logDir`; with `profileDir`, every server runs with --cpu-prof.
 */
export async function startBenchSystem(
  databases: BenchDatabases,
  options: { logDir: string; profileDir?: string; telemetry?: readonly TelemetryStack[] },
  log: (line: string) => void,
): Promise<BenchSystem> {
  const output = logFileOutput(options.logDir);
  const nodeArgs = cpuProfileArgs(options.profileDir);
  const baselinePorts = { 'baseline-user': await freePort(), 'baseline-order': await freePort() };
  const baseline: Partial<Record<BaselineKey, ServiceProcess>> = {};
  const stopBaseline = async () => {
    for (const key of [...BASELINE_KEYS].reverse()) await baseline[key]?.stop();
  };
  const startBaseline = async () => {
    // Upstream first, as launchSystem does for the product.
    for (const key of BASELINE_KEYS) {
      const spec = baselineServer(key, baselinePorts, databases);
      baseline[key] = await ServiceProcess.start({ ...spec, name: key, output: output(key), nodeArgs: nodeArgs(key) });
    }
  };
  const stacks = options.telemetry ?? [];
  const otlpSink = stacks.some((mode) => mode !== 'metrics') ? await OtlpSink.start() : undefined;
  const sharedEnv = benchProcessEnv();
  const launchStack = async (telemetry: TelemetryMode): Promise<RunningSystem> => {
    const appEnv: Record<string, ProcessEnv> = {};
    for (const app of PRODUCT_KEYS) appEnv[app] = await telemetryEnv(telemetry, app, otlpSink);
    return launchSystem({
      apps: PRODUCT_KEYS,
      // Every stack serves the same users and writes to the same orders table, as replicas of one deployment would.
      databases: givenDatabases({ 'user-service': databases.productUsers.url, 'order-service': databases.productOrders.url }, { migrated: true }),
      env: sharedEnv,
      appEnv,
      output: (name) => output(productKey(name as ProductKey, telemetry)),
      nodeArgs: (name) => nodeArgs(productKey(name as ProductKey, telemetry)),
    });
  };
  const launches = await Promise.allSettled([launchStack('off'), startBaseline(), ...stacks.map((mode) => launchStack(mode))]);
  const [launched, , ...stackLaunches] = launches;
  const running = [launched, ...stackLaunches].flatMap((l) => (l?.status === 'fulfilled' ? [l.value as RunningSystem] : []));
  const stopAll = async () => {
    await Promise.all([...running.map((system) => system.stop()), stopBaseline()]);
    await otlpSink?.stop();
  };
  const failed = launches.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  const product = (launched as PromiseFulfilledResult<RunningSystem>).value;
  const processes: Partial<Record<ProcessKey, ServiceProcess>> = { ...baseline };
  const ports: Partial<Record<ProcessKey, number>> = { ...baselinePorts };
  // `running` is the telemetry-off stack, then one per entry of `stacks`, in launch order.
  running.forEach((system, i) => {
    const telemetry = i === 0 ? 'off' : (stacks[i - 1] as TelemetryStack);
    for (const app of PRODUCT_KEYS) {
      processes[productKey(app, telemetry)] = system.process(app);
      ports[productKey(app, telemetry)] = system.port(app);
    }
  });
  for (const [key, process] of Object.entries(processes)) {
    log(`${key} ready on 127.0.0.1:${ports[key as ProcessKey]} after ${Math.round(process.readyAfterMs)} ms (pid ${process.pid})`);
  }
  return {
    processes: processes as BenchSystem['processes'],
    ports: ports as BenchSystem['ports'],
    otlpSink,
    instanceOptions: (key, port) =>
      key === 'baseline-user' || key === 'baseline-order' ? baselineServer(key, { ...baselinePorts, [key]: port }, databases) : product.instanceOptions(key, port),
    // Each side stops callers before upstreams, so nothing fails for want of an upstream while stopping.
    stop: stopAll,
  };
}

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, givenDatabases, launchSystem, ServiceProcess, type ProcessOutput, type ServiceProcessOptions } from '@acme/testing';
import type { SystemName } from '../model';
import { type BaselineKey, baselineServer, BASELINE_KEYS } from './baseline-servers';
import type { BenchDatabases } from './databases';

/** The product's apps the benchmark runs, as their manifests name them. */
const PRODUCT_KEYS = ['user-service', 'order-service', 'api-gateway'] as const;
type ProductKey = (typeof PRODUCT_KEYS)[number];

/** Every server process the benchmark runs. */
export type ProcessKey = ProductKey | BaselineKey;

export const SYSTEM_OF: Record<ProcessKey, SystemName> = {
  'user-service': 'product',
  'order-service': 'product',
  'api-gateway': 'gateway',
  'baseline-user': 'baseline',
  'baseline-order': 'baseline',
};

export interface BenchSystem {
  readonly processes: Record<ProcessKey, ServiceProcess>;
  readonly ports: Record<ProcessKey, number>;
  /** How to start one more instance of a server on `port`, beside the running ones (its upstreams). */
  instanceOptions(key: ProcessKey, port: number): Omit<ServiceProcessOptions, 'name'>;
  stop(): Promise<void>;
}

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
  options: { logDir: string; profileDir?: string },
  log: (line: string) => void,
): Promise<BenchSystem> {
  const output = (name: string): ProcessOutput => ({ file: join(options.logDir, `${name}.log`) });
  const nodeArgs = (name: string) => (options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, name)}`] : undefined);
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
  const [launched, started] = await Promise.allSettled([
    launchSystem({
      apps: PRODUCT_KEYS,
      databases: givenDatabases({ 'user-service': databases.productUsers.url, 'order-service': databases.productOrders.url }, { migrated: true }),
      env: { NODE_ENV: 'production', LOG_LEVEL: 'info', LOG_FORMAT: 'json', PAGE_TOKEN_SECRET: randomBytes(32).toString('hex') },
      output,
      nodeArgs,
    }),
    startBaseline(),
  ]);
  if (launched.status === 'rejected' || started.status === 'rejected') {
    if (launched.status === 'fulfilled') await launched.value.stop();
    await stopBaseline();
    throw launched.status === 'rejected' ? launched.reason : (started as PromiseRejectedResult).reason;
  }
  const product = launched.value;
  const processes = {
    ...Object.fromEntries(PRODUCT_KEYS.map((key) => [key, product.process(key)])),
    ...baseline,
  } as Record<ProcessKey, ServiceProcess>;
  const ports = { ...Object.fromEntries(PRODUCT_KEYS.map((key) => [key, product.port(key)])), ...baselinePorts } as Record<ProcessKey, number>;
  for (const [key, process] of Object.entries(processes)) {
    log(`${key} ready on 127.0.0.1:${ports[key as ProcessKey]} after ${Math.round(process.readyAfterMs)} ms (pid ${process.pid})`);
  }
  return {
    processes,
    ports,
    instanceOptions: (key, port) =>
      key === 'baseline-user' || key === 'baseline-order' ? baselineServer(key, { ...baselinePorts, [key]: port }, databases) : product.instanceOptions(key, port),
    // Each side stops callers before upstreams, so nothing fails for want of an upstream while stopping.
    stop: async () => {
      await Promise.all([product.stop(), stopBaseline()]);
    },
  };
}

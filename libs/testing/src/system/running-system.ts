import { channelCredentialsFromEnv } from '@acme/grpc-kit';
import { DevIdentity, IDENTITY_PROVIDER_APP } from '../dev-identity';
import { freePort } from '../free-port';
import { TcpProxy } from '../tcp-proxy';
import type { Database } from '../test-database';
import type { LaunchManifest } from './app-manifest';
import { appScript, registeredApp } from './app-registry';
import { freshTestDatabases, type ProvidedDatabase } from './databases';
import { migrateDatabase } from './migrations';
import type { LaunchOptions } from './launch-system';
import type { ProcessOutput } from './process-output';
import { PATH_ONLY, type ProcessEnv, ServiceProcess, type ServiceProcessOptions } from './service-process';

interface Replica {
  readonly host: string;
  readonly port: number;
  process?: ServiceProcess;
}

const DEFAULT_PORTS: Record<string, number> = { 'postgres:': 5432, 'postgresql:': 5432, 'amqp:': 5672 };

/** `url` with its host and port replaced by the proxy's. */
function via(url: string, proxy: TcpProxy): string {
  const rewritten = new URL(url);
  rewritten.hostname = '127.0.0.1';
  rewritten.port = String(proxy.port);
  return rewritten.toString();
}

function proxyTo(url: string): Promise<TcpProxy> {
  const { hostname, port, protocol } = new URL(url);
  return TcpProxy.start({ host: hostname, port: Number(port || DEFAULT_PORTS[protocol]) });
}

/** A launched system: its processes, addresses and databases, and the means to restart and stop them. */
export class RunningSystem {
  private readonly replicas = new Map<string, Replica[]>();
  private readonly databases = new Map<string, ProvidedDatabase>();
  private readonly appProxies = new Map<string, TcpProxy>();
  private readonly databaseProxies = new Map<string, TcpProxy>();
  private broker?: TcpProxy;
  private stopping?: Promise<void>;
  private devIdentity?: DevIdentity;

  /** @internal launchSystem builds it. */
  constructor(
    private readonly groups: readonly (readonly string[])[],
    private readonly manifests: ReadonlyMap<string, LaunchManifest>,
    private readonly options: LaunchOptions,
  ) {}

  /** The apps, in start order. */
  get apps(): string[] {
    return this.groups.flat();
  }

  /** Ports, proxies, databases and migrations: everything the apps need before they start. */
  async prepare(): Promise<void> {
    for (const app of this.apps) {
      const wanted = this.options.replicas?.[app];
      const fixed = this.options.ports?.[app];
      if (wanted?.hosts) {
        const port = fixed ?? (await freePort());
        this.replicas.set(app, wanted.hosts.map((host) => ({ host, port })));
      } else {
        const ports = await Promise.all(Array.from({ length: wanted?.count ?? 1 }, (_, i) => (i === 0 && fixed) || freePort()));
        this.replicas.set(app, ports.map((port) => ({ host: '127.0.0.1', port })));
      }
    }
    const proxies = this.options.proxies ?? {};
    for (const app of proxies.apps ?? []) {
      const { host, port } = this.replica(app, 0);
      this.appProxies.set(app, await TcpProxy.start({ host, port }));
    }
    if (proxies.broker) this.broker = await proxyTo(this.requireBrokerUrl());
    const provider = this.options.databases ?? freshTestDatabases('system');
    await Promise.all(
      this.apps.map(async (app) => {
        const wanted = this.manifest(app).database;
        if (!wanted) return;
        const provided = await provider.provide(app, wanted.name);
        this.databases.set(app, provided);
        if (proxies.databasesOf?.includes(app)) this.databaseProxies.set(app, await proxyTo(provided.database.url));
        if (!provided.migrated) await migrateDatabase(app, provided.database.url, { ...this.baseEnv(), ...this.options.env }, this.outputOf(`${app} migrations`));
      }),
    );
  }

  /** @internal Starts every replica of `app`. */
  async startAll(app: string): Promise<void> {
    await Promise.all(this.replicasOf(app).map((replica) => this.start(app, replica)));
  }

  /** The running (or last started) process of one replica. */
  process(app: string, replica = 0): ServiceProcess {
    const found = this.replicasOf(app)[replica]?.process;
    if (!found) throw new Error(`${app} has no started replica ${replica}`);
    return found;
  }

  processes(app: string): ServiceProcess[] {
    return this.replicasOf(app).flatMap((replica) => (replica.process ? [replica.process] : []));
  }

  port(app: string, replica = 0): number {
    return this.replica(app, replica).port;
  }

  /** host:port of one replica itself (not through a proxy). */
  address(app: string, replica = 0): string {
    const { host, port } = this.replica(app, replica);
    return `${host}:${port}`;
  }

  /** What callers of `app` are given: its proxy if it has one, else every replica (dns:/// for one, an ipv4: list for several). */
  target(app: string): string {
    const proxy = this.appProxies.get(app);
    const addresses = proxy ? [`127.0.0.1:${proxy.port}`] : this.replicasOf(app).map(({ host, port }) => `${host}:${port}`);
    if (this.manifest(app).protocol === 'http') return `http://${addresses[0]}`;
    return addresses.length === 1 ? `dns:///${addresses[0]}` : `ipv4:${addresses.join(',')}`;
  }

  /** Tokens from this system's development identity provider (launched with every app that verifies tokens). */
  get identity(): DevIdentity {
    this.devIdentity ??= new DevIdentity(this.target(IDENTITY_PROVIDER_APP));
    return this.devIdentity;
  }

  /** The variables that point `app` (launched here or not, e.g. an in-process gateway) at its upstreams. */
  upstreamEnv(app: string): Record<string, string> {
    const upstreams = registeredApp(app).launch.upstreams;
    return Object.fromEntries(Object.entries(upstreams).map(([name, upstream]) => [name, this.target(upstream)]));
  }

  database(app: string): Database {
    const provided = this.databases.get(app);
    if (!provided) throw new Error(`${app} has no database in this system`);
    return provided.database;
  }

  proxy(app: string): TcpProxy {
    return required(this.appProxies.get(app), `no proxy in front of ${app} (launch with proxies.apps)`);
  }

  databaseProxy(app: string): TcpProxy {
    return required(this.databaseProxies.get(app), `no proxy in front of ${app}'s database (launch with proxies.databasesOf)`);
  }

  get brokerProxy(): TcpProxy {
    return required(this.broker, 'no proxy in front of the broker (launch with proxies.broker)');
  }

  /** The broker URL as the apps see it (through the proxy, if there is one). */
  get brokerUrl(): string {
    const url = this.requireBrokerUrl();
    return this.broker ? via(url, this.broker) : url;
  }

  /** How to start one more instance of `app` beside the system, on `port` (the bench times such cold starts). */
  instanceOptions(app: string, port: number, host = '127.0.0.1', env?: ProcessEnv): Omit<ServiceProcessOptions, 'name'> {
    const manifest = this.manifest(app);
    const database = manifest.database;
    const databaseProxy = this.databaseProxies.get(app);
    const databaseUrl = database ? this.database(app).url : undefined;
    const processEnv: ProcessEnv = {
      ...this.baseEnv(),
      ...this.options.env,
      [manifest.listen.hostVar]: host,
      [manifest.listen.portVar]: String(port),
      ...(database && databaseUrl ? { [database.urlVar]: databaseProxy ? via(databaseUrl, databaseProxy) : databaseUrl } : {}),
      ...(manifest.broker && this.options.brokerUrl ? { [manifest.broker.urlVar]: this.brokerUrl } : {}),
      ...this.upstreamEnv(app),
      ...(env ?? this.options.appEnv?.[app]),
    };
    return {
      script: appScript(app, 'serve'),
      env: processEnv,
      readiness:
        'grpcHealth' in manifest.ready
          ? // With GRPC_TLS=on the health check presents the app's own certificate, as its container's probe does.
            { grpcHealth: `${host}:${port}`, service: manifest.ready.grpcHealth, credentials: channelCredentialsFromEnv(processEnv) }
          : { httpUrl: `http://${host}:${port}${manifest.ready.httpPath}` },
      detached: this.options.detached,
      startTimeoutMs: this.options.startTimeoutMs,
    };
  }

  /**
   * Starts one replica again on its address (stopping it first if it runs),
   * with the launch's environment or `env` instead of its per-app overrides.
   */
  async restart(app: string, replica = 0, env?: ProcessEnv): Promise<ServiceProcess> {
    const found = this.replica(app, replica);
    if (found.process?.running) await found.process.stop();
    return this.start(app, found, env);
  }

  /** Starts one more replica of `app` on a new port (callers started earlier do not know it). */
  async addReplica(app: string, env?: ProcessEnv): Promise<ServiceProcess> {
    const replicas = this.replicasOf(app);
    const replica: Replica = { host: replicas[0]?.host ?? '127.0.0.1', port: await freePort() };
    replicas.push(replica);
    return this.start(app, replica, env);
  }

  /** Stops every process, callers before upstreams (so none fails for want of an upstream meanwhile), then proxies and databases. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.stopping ??= (async () => {
      for (const group of [...this.groups].reverse()) {
        await Promise.all(group.flatMap((app) => this.processes(app).map((process) => process.stop(signal))));
      }
      const proxies = [...this.appProxies.values(), ...this.databaseProxies.values(), ...(this.broker ? [this.broker] : [])];
      await Promise.all(proxies.map((proxy) => proxy.stop()));
      await Promise.allSettled([...this.databases.values()].map((provided) => provided.release?.()));
    })();
    return this.stopping;
  }

  private async start(app: string, replica: Replica, env?: ProcessEnv): Promise<ServiceProcess> {
    const name = this.nameOf(app, replica);
    replica.process = await ServiceProcess.start({
      ...this.instanceOptions(app, replica.port, replica.host, env),
      name,
      output: this.outputOf(name),
      nodeArgs: this.options.nodeArgs?.(name),
    });
    return replica.process;
  }

  /** The app's name for a single replica, else with what tells the replicas apart. */
  private nameOf(app: string, replica: Replica): string {
    if (this.options.replicas?.[app]?.hosts && this.replicasOf(app).length > 1) return `${app}@${replica.host}`;
    return this.replicasOf(app).indexOf(replica) === 0 ? app : `${app}:${replica.port}`;
  }

  private outputOf(name: string): ProcessOutput {
    const output = this.options.output ?? 'capture';
    return typeof output === 'function' ? output(name) : output;
  }

  private baseEnv(): ProcessEnv {
    return this.options.baseEnv ?? PATH_ONLY;
  }

  private manifest(app: string): LaunchManifest {
    return required(this.manifests.get(app), `${app} is not launched in this system`);
  }

  private replicasOf(app: string): Replica[] {
    return required(this.replicas.get(app), `${app} is not launched in this system`);
  }

  private replica(app: string, index: number): Replica {
    return required(this.replicasOf(app)[index], `${app} has no replica ${index}`);
  }

  private requireBrokerUrl(): string {
    return required(this.options.brokerUrl, 'no broker: launch with brokerUrl');
  }
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}

import { registeredApp, registeredApps } from './app-registry';
import type { DatabaseProvider } from './databases';
import type { ProcessOutput } from './process-output';
import { RunningSystem } from './running-system';
import type { ProcessEnv } from './service-process';
import { startGroups } from './start-order';

export interface ReplicaOptions {
  /** This many replicas, each on its own port of the first host. */
  readonly count?: number;
  /** One replica per loopback host, all on one port (127.0.0.0/8 is all loopback on Linux). */
  readonly hosts?: readonly string[];
}

/** TCP proxies the system puts in front of things, for fault tests (cut, restore, watch traffic). */
export interface ProxyOptions {
  /** Apps whose callers reach them through a proxy (in front of their first replica). */
  readonly apps?: readonly string[];
  /** Apps that reach their database through a proxy. */
  readonly databasesOf?: readonly string[];
  /** Every app reaches the broker through one proxy. */
  readonly broker?: boolean;
}

export interface LaunchOptions {
  /** Default: every registered app. What they call (e.g. the identity provider) is launched with them. */
  readonly apps?: readonly string[];
  /** Default: one replica per app, on 127.0.0.1. */
  readonly replicas?: Readonly<Record<string, ReplicaOptions>>;
  /** Fixed ports by app (default: free ones). */
  readonly ports?: Readonly<Record<string, number>>;
  /** Default: a fresh test database per app, dropped on stop. Migrations are applied unless the provider says they are. */
  readonly databases?: DatabaseProvider;
  /** The broker, for apps whose manifest says they use one. */
  readonly brokerUrl?: string;
  readonly proxies?: ProxyOptions;
  /** The environment every process starts from (default: PATH_ONLY). */
  readonly baseEnv?: ProcessEnv;
  /** Added for every app. */
  readonly env?: ProcessEnv;
  /** Added per app, last: they override what the launcher derives. */
  readonly appEnv?: Readonly<Record<string, ProcessEnv>>;
  /** Default 'capture'; a function gets each process's name (e.g. for a log file per process). */
  readonly output?: ProcessOutput | ((name: string) => ProcessOutput);
  /** Node flags per process (by name), e.g. --cpu-prof. */
  readonly nodeArgs?: (name: string) => readonly string[] | undefined;
  readonly detached?: boolean;
  readonly startTimeoutMs?: number;
}

/**
 * Starts apps as real processes from what their manifests say: databases
 * provided and migrated first, then the apps in groups, upstreams before
 * their callers, each given its upstreams' addresses. If anything fails,
 * whatever was started or created is stopped and released again.
 */
export async function launchSystem(options: LaunchOptions = {}): Promise<RunningSystem> {
  const apps = withTheirUpstreams(options.apps ?? registeredApps());
  const manifests = new Map(apps.map((app) => [app, registeredApp(app).launch]));
  const groups = startGroups(apps, (app) => Object.values(manifests.get(app)?.upstreams ?? {}));
  const system = new RunningSystem(groups, manifests, options);
  try {
    await system.prepare();
    for (const group of groups) await Promise.all(group.map((app) => system.startAll(app)));
  } catch (error) {
    await system.stop('SIGKILL');
    throw error;
  }
  return system;
}

/** `apps` and, transitively, every app they call, in that order. */
function withTheirUpstreams(apps: readonly string[]): string[] {
  const all = [...apps];
  for (let i = 0; i < all.length; i++) {
    for (const upstream of Object.values(registeredApp(all[i] ?? '').launch.upstreams)) if (!all.includes(upstream)) all.push(upstream);
  }
  return all;
}

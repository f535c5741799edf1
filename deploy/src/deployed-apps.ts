import { existsSync } from 'node:fs';
import { registeredApp, registeredApps, type LaunchManifest } from '@acme/testing';
import { repoPath } from './repo';

// The apps the deployment runs, discovered rather than listed, so that a
// service added by `nx g @acme/workspace:service` is held to every check
// without editing deploy/. An app states what it needs in its launch
// manifest (apps/<app>/project.json, `metadata.launch`, read through
// @acme/testing's app registry, the one `npm start` and the test launchers
// read): its protocol and port, its own database, the broker, the apps it
// calls. The deployment is every registered app with its own k8s/base/<app>/,
// which is all of them but the token issuer the apps name (the development
// provider, a stand-in the dev overlay runs beside the system).

/** An app of the deployment, with what its manifest says it needs. */
export interface DeployedApp {
  readonly name: string;
  readonly protocol: LaunchManifest['protocol'];
  /** The port it serves on (its manifest's, the same in compose and Kubernetes). */
  readonly port: number;
  /** It has its own Postgres database. */
  readonly database: boolean;
  /** It publishes events through the broker. */
  readonly broker: boolean;
  /** The queue it consumes from on the broker, and the events (full protobuf names) bound to it. */
  readonly consumes?: { readonly queue: string; readonly events: readonly string[] };
  /** The apps of the deployment it calls, the token issuer aside. */
  readonly calls: readonly string[];
}

/** The variable every app takes its token issuer's URL from; the app behind it is the issuer. */
const ISSUER_VARIABLE = 'AUTH_ISSUER';

/** The token issuer the apps name: the development identity provider (by its manifest). */
export function issuerApp(): { name: string; port: number } {
  const names = new Set(registeredApps().flatMap((app) => registeredApp(app).launch.upstreams[ISSUER_VARIABLE] ?? []));
  const [name, ...others] = [...names];
  if (name === undefined || others.length > 0) throw new Error(`the apps name ${names.size} token issuers (${[...names].join(', ')}) behind ${ISSUER_VARIABLE}, expected one`);
  return { name, port: registeredApp(name).launch.local.port };
}

/** The registered apps other than the issuer: each must have its own k8s/base/<app>/. */
export function systemAppNames(): string[] {
  const issuer = issuerApp().name;
  return registeredApps()
    .filter((app) => app !== issuer)
    .sort();
}

/** Every app of the deployment (those of systemAppNames() with a k8s/base/<app>/), sorted by name. */
export function deployedApps(): DeployedApp[] {
  const issuer = issuerApp().name;
  return systemAppNames()
    .filter((name) => existsSync(repoPath('k8s', 'base', name, 'kustomization.yaml')))
    .map((name) => {
      const { launch } = registeredApp(name);
      return {
        name,
        protocol: launch.protocol,
        port: launch.local.port,
        database: launch.database !== undefined,
        broker: launch.broker !== undefined,
        consumes: launch.broker?.consumes,
        calls: Object.values(launch.upstreams).filter((upstream) => upstream !== issuer),
      };
    });
}

export const deployedAppNames = (): string[] => deployedApps().map((app) => app.name);

/** The gRPC servers among them (headless Services, mTLS servers). */
export const grpcServices = (): DeployedApp[] => deployedApps().filter((app) => app.protocol === 'grpc');

/** The HTTP edge: the apps reachable from outside the namespace. */
export const edgeApps = (): DeployedApp[] => deployedApps().filter((app) => app.protocol === 'http');

/** The prefix of an app's compose services and its database's names: user for user-service (user-db, user-migrate). */
export const composePrefix = (app: string): string => app.replace(/-service$/, '');

/** The host of an app's own database, in compose and in the dev cluster: user-service's is user-db. */
export const databaseHost = (app: string): string => `${composePrefix(app)}-db`;

import { join } from 'node:path';
import { formatFiles, generateFiles, logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import { PLUGIN_ROOT } from '../../plugin-root';
import { generateContracts } from './contracts-generation';
import { admitCaller } from './calls-registration';
import { brokerNames, registerBroker } from './broker-registration';
import { registerContracts, registerEventContracts, widgetCreatedKey } from './contracts-registration';
import { consumedEvent } from './event-catalog';
import { registerCompose } from './compose-registration';
import { deploymentNames } from './deployment-names';
import { registerKubernetes } from './kubernetes-registration';
import { checkedPort, nextGrpcPort } from './port-plan';
import type { ServiceGeneratorSchema } from './schema';
import { serviceNames } from './service-names';
import { upstreamCall } from './upstream-calls';
import { addScopeBoundary, grantDemoScopes, scopesOf } from './workspace-registration';

const TEMPLATES = join(PLUGIN_ROOT, 'src/generators/service/files');

/** The migration that creates the sample table, named as TypeORM names migrations (time of creation). */
export function firstMigration(now: Date) {
  const timestamp = now.getTime();
  return { className: `CreateWidgets${timestamp}`, file: `${timestamp}-create-widgets` };
}

/** With --events: the inbox's migration, right after the sample table's. */
export function inboxMigration(now: Date) {
  const timestamp = now.getTime() + 1;
  return { className: `CreateInbox${timestamp}`, file: `${timestamp}-create-inbox` };
}

/** The consumed event when none is named: user-service's, the one event a new service most often reacts to. */
export const DEFAULT_CONSUMED_EVENT = 'acme.user.v1.UserDeleted';

/**
 * `nx g @acme/workspace:service <name>`: a gRPC service shaped like
 * user-service, every piece wired: the proto package, its generated code and
 * its place in @acme/contracts, the app with its launch manifest (npm start
 * and the test launchers find it by that alone), its tests, the demo
 * principals' scopes for it and its module boundary, and its deployment:
 * docker-compose.yml and the Kubernetes base, overlays and components.
 */
export async function serviceGenerator(tree: Tree, options: ServiceGeneratorSchema): Promise<GeneratorCallback> {
  const n = serviceNames(options.name);
  const appRoot = `apps/${n.app}`;
  if (tree.exists(appRoot)) throw new Error(`${appRoot} exists already`);
  if (tree.exists(`proto/${n.protoPath}`)) throw new Error(`proto/${n.protoPath} exists already`);
  const database = options.database ?? false;
  const events = options.events ?? false;
  // The outbox and the inbox are tables written in the transaction of the change they go with.
  if (events && !database) throw new Error('--events needs --database: the outbox and the inbox are tables of its database');
  if (options.consumes !== undefined && !events) throw new Error('--consumes is an option of --events');
  const port = options.port === undefined ? nextGrpcPort(tree) : checkedPort(tree, options.port);
  const now = new Date();
  const migration = firstMigration(now);
  const consumed = events ? consumedEvent(tree, options.consumes ?? DEFAULT_CONSUMED_EVENT) : undefined;
  const calls = options.calls === undefined ? undefined : upstreamCall(tree, options.calls);
  const broker = consumed && brokerNames(n.app, consumed);
  const deployment = deploymentNames(n, port, database, `acme_${n.snake}`, broker, calls);
  const substitutions = {
    ...n,
    ...deployment,
    events,
    broker: broker ?? null,
    calls: calls ?? null,
    ref: calls?.reference ?? null,
    referenceFolder: calls?.reference.folder ?? '',
    referenceFile: calls?.reference.file ?? '',
    consumed: consumed ?? null,
    // The two together give the consumed event a real effect in the sample: a deleted user's widgets go with them.
    deletesWidgetsOfUser: calls?.app === 'user-service' && consumed?.type === DEFAULT_CONSUMED_EVENT,
    widgetCreatedKey: widgetCreatedKey(n),
    scopes: scopesOf(n),
    migration,
    migrationFile: migration.file,
    inboxMigration: inboxMigration(now),
    inboxMigrationFile: inboxMigration(now).file,
    consumedFile: consumed?.file ?? '',
    tmpl: '',
  };

  generateFiles(tree, join(TEMPLATES, 'proto'), 'proto', substitutions);
  generateFiles(tree, join(TEMPLATES, 'app'), appRoot, substitutions);
  generateFiles(tree, join(TEMPLATES, database ? 'database' : 'memory'), appRoot, substitutions);
  if (events) {
    generateFiles(tree, join(TEMPLATES, 'events-proto'), 'proto', substitutions);
    generateFiles(tree, join(TEMPLATES, 'events'), appRoot, substitutions);
  }
  if (calls) generateFiles(tree, join(TEMPLATES, 'calls'), appRoot, substitutions);
  // Its deployment, beside user-service's: k8s/base/<app>/, its mTLS patch, with --database its dev Postgres.
  generateFiles(tree, join(TEMPLATES, 'k8s'), 'k8s', substitutions);
  if (database) generateFiles(tree, join(TEMPLATES, 'k8s-database'), 'k8s', substitutions);
  registerKubernetes(tree, deployment);
  registerCompose(tree, deployment);
  registerContracts(tree, n);
  if (events) registerEventContracts(tree, n);
  if (broker) registerBroker(tree, broker);
  if (calls) admitCaller(tree, n.app, calls);
  generateContracts(tree);
  grantDemoScopes(tree, n);
  addScopeBoundary(tree, n);
  await formatFiles(tree);

  return () => {
    const extras = [
      database && `database ${substitutions.databaseName}`,
      consumed && `publishes ${n.protoPackage}.WidgetCreated, consumes ${consumed.type} from ${broker?.queue}`,
      calls && `calls ${calls.app}`,
    ].filter(Boolean);
    logger.info(`${n.app}: gRPC ${n.grpcTypeName} on port ${port}${extras.map((e) => `, ${e}`).join('')}.`);
    logger.info(`Next: npx nx run-many -t lint typecheck test -p ${n.app}; npm start runs it with the others.`);
  };
}

export default serviceGenerator;

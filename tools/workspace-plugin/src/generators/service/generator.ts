import { join } from 'node:path';
import { formatFiles, generateFiles, logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import { PLUGIN_ROOT } from '../../plugin-root';
import { generateContracts } from './contracts-generation';
import { registerContracts } from './contracts-registration';
import { registerCompose } from './compose-registration';
import { deploymentNames } from './deployment-names';
import { registerKubernetes } from './kubernetes-registration';
import { checkedPort, nextGrpcPort } from './port-plan';
import type { ServiceGeneratorSchema } from './schema';
import { serviceNames } from './service-names';
import { addScopeBoundary, grantDemoScopes, scopesOf } from './workspace-registration';

const TEMPLATES = join(PLUGIN_ROOT, 'src/generators/service/files');

/** The migration that creates the sample table, named as TypeORM names migrations (time of creation). */
export function firstMigration(now: Date) {
  const timestamp = now.getTime();
  return { className: `CreateWidgets${timestamp}`, file: `${timestamp}-create-widgets` };
}

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
  const port = options.port === undefined ? nextGrpcPort(tree) : checkedPort(tree, options.port);
  const migration = firstMigration(new Date());
  const deployment = deploymentNames(n, port, database, `acme_${n.snake}`);
  const substitutions = {
    ...n,
    ...deployment,
    scopes: scopesOf(n),
    migration,
    migrationFile: migration.file,
    tmpl: '',
  };

  generateFiles(tree, join(TEMPLATES, 'proto'), 'proto', substitutions);
  generateFiles(tree, join(TEMPLATES, 'app'), appRoot, substitutions);
  generateFiles(tree, join(TEMPLATES, database ? 'database' : 'memory'), appRoot, substitutions);
  // Its deployment, beside user-service's: k8s/base/<app>/, its mTLS patch, with --database its dev Postgres.
  generateFiles(tree, join(TEMPLATES, 'k8s'), 'k8s', substitutions);
  if (database) generateFiles(tree, join(TEMPLATES, 'k8s-database'), 'k8s', substitutions);
  registerKubernetes(tree, deployment);
  registerCompose(tree, deployment);
  registerContracts(tree, n);
  generateContracts(tree);
  grantDemoScopes(tree, n);
  addScopeBoundary(tree, n);
  await formatFiles(tree);

  return () => {
    logger.info(`${n.app}: gRPC ${n.grpcTypeName} on port ${port}${database ? `, database ${substitutions.databaseName}` : ''}.`);
    logger.info(`Next: npx nx run-many -t lint typecheck test -p ${n.app}; npm start runs it with the others.`);
  };
}

export default serviceGenerator;

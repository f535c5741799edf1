import { join } from 'node:path';
import { formatFiles, generateFiles, logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import { PLUGIN_ROOT } from '../../plugin-root';
import { generateContracts } from './contracts-generation';
import { registerContracts } from './contracts-registration';
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
 * principals' scopes for it and its module boundary.
 */
export async function serviceGenerator(tree: Tree, options: ServiceGeneratorSchema): Promise<GeneratorCallback> {
  const n = serviceNames(options.name);
  const appRoot = `apps/${n.app}`;
  if (tree.exists(appRoot)) throw new Error(`${appRoot} exists already`);
  if (tree.exists(`proto/${n.protoPath}`)) throw new Error(`proto/${n.protoPath} exists already`);
  const database = options.database ?? false;
  const port = options.port === undefined ? nextGrpcPort(tree) : checkedPort(tree, options.port);
  const migration = firstMigration(new Date());
  const substitutions = {
    ...n,
    port,
    database,
    scopes: scopesOf(n),
    databaseName: `acme_${n.snake}`,
    migration,
    migrationFile: migration.file,
    tmpl: '',
  };

  generateFiles(tree, join(TEMPLATES, 'proto'), 'proto', substitutions);
  generateFiles(tree, join(TEMPLATES, 'app'), appRoot, substitutions);
  generateFiles(tree, join(TEMPLATES, database ? 'database' : 'memory'), appRoot, substitutions);
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

import { readFileSync } from 'node:fs';
import { readJson, type Tree } from '@nx/devkit';
import { FsTree } from 'nx/src/generators/tree';
import { workspacePath } from '@acme/testing';
import { serviceGenerator } from './generator';
import { nextGrpcPort } from './port-plan';
import { COMPOSE } from './compose-registration';
import { K8S } from './kubernetes-registration';
import { DEV_CLIENTS, ESLINT_CONFIG } from './workspace-registration';

// The generator run on this workspace as it is on disk, through a tree that
// records its changes and writes none (what --dry-run shows).
const workspaceTree = (): Tree => new FsTree(workspacePath(), false);

/** What the run would write, as --dry-run lists it: path -> CREATE/UPDATE. */
const changes = (tree: Tree) => Object.fromEntries(tree.listChanges().map((c) => [c.path.replace(/\d{13}-create-widgets/, '<time>-create-widgets'), c.type]));

const APP_FILES = [
  'jest.config.js',
  'project.json',
  'tsconfig.json',
  'tsconfig.app.json',
  'tsconfig.spec.json',
  'src/main.ts',
  'src/telemetry.ts',
  'src/config.ts',
  'src/app.module.ts',
  'src/largest-requests.ts',
  'src/largest-requests.spec.ts',
  'src/widgets/peer-policy.ts',
  'src/widgets/widget.mapper.ts',
  'src/widgets/widgets.controller.ts',
  'src/widgets/widgets.module.ts',
  'src/widgets/widgets.repository.ts',
  'src/widgets/widgets.service.ts',
  'test/inventory-service.spec.ts',
];
const DATABASE_FILES = [
  'src/migrate.ts',
  'src/database/data-source.ts',
  'src/database/database-settings.ts',
  'src/database/migrations/index.ts',
  'src/database/migrations/<time>-create-widgets.ts',
  'src/widgets/widget.entity.ts',
  'test/widgets.repository.spec.ts',
];
const WORKSPACE_CHANGES = {
  'proto/acme/inventory/v1/inventory.proto': 'CREATE',
  'libs/contracts/src/gen/acme/inventory/v1/inventory_pb.ts': 'CREATE',
  'libs/contracts/src/gen/comments.ts': 'UPDATE',
  'libs/contracts/src/index.ts': 'UPDATE',
  'libs/contracts/src/registry.ts': 'UPDATE',
  'libs/contracts/src/service-contracts.ts': 'UPDATE',
  [DEV_CLIENTS]: 'UPDATE',
  [ESLINT_CONFIG]: 'UPDATE',
};
// Its deployment: new manifests of its own, entries in the shared ones.
const DEPLOYMENT_CHANGES = {
  ...Object.fromEntries(['deployment', 'service', 'autoscaling', 'network-policy', 'kustomization'].map((f) => [`k8s/base/inventory-service/${f}.yaml`, 'CREATE'])),
  'k8s/components/mtls/inventory-service.yaml': 'CREATE',
  ...Object.fromEntries(
    [
      COMPOSE.file,
      COMPOSE.env,
      COMPOSE.prometheus,
      K8S.base,
      K8S.dev,
      K8S.devIssuer,
      K8S.prod,
      K8S.prodReplicas,
      K8S.prodResources,
      K8S.prodIssuer,
      K8S.mtls,
      K8S.mtlsCertificates,
      K8S.observability,
      ...K8S.observabilityPolicies,
      K8S.prometheus,
    ].map((path) => [path, 'UPDATE']),
  ),
};
const DATABASE_DEPLOYMENT_CHANGES = { 'k8s/overlays/dev/postgres/inventory-db.yaml': 'CREATE', [K8S.prodExternalEgress]: 'UPDATE' };
const created = (files: readonly string[]) => Object.fromEntries(files.map((f) => [`apps/inventory-service/${f}`, 'CREATE']));

interface LaunchManifest {
  readonly ready: { readonly grpcHealth: string };
  readonly local: { readonly port: number; readonly databaseUrlVar?: string };
  readonly database?: { readonly name: string };
}
const manifestOf = (tree: Tree): LaunchManifest => readJson(tree, 'apps/inventory-service/project.json').metadata.launch;

describe('nx g @acme/workspace:service, on this workspace', () => {
  it.each([
    ['--database', { database: true }, { ...created([...APP_FILES, ...DATABASE_FILES]), ...WORKSPACE_CHANGES, ...DEPLOYMENT_CHANGES, ...DATABASE_DEPLOYMENT_CHANGES }],
    ['no database', { database: false }, { ...created(APP_FILES), ...WORKSPACE_CHANGES, ...DEPLOYMENT_CHANGES }],
  ])('with %s writes exactly these files', async (_case, options, expected) => {
    const tree = workspaceTree();
    await serviceGenerator(tree, { name: 'inventory', ...options });
    expect(changes(tree)).toEqual(expected);
  }, 60_000);

  it('wires the new package into @acme/contracts and the app into the launchers, on the next free port', async () => {
    const tree = workspaceTree();
    const port = nextGrpcPort(tree);
    await serviceGenerator(tree, { name: 'inventory', database: true });
    expect(tree.read('libs/contracts/src/index.ts', 'utf-8')).toContain(`export * as inventoryV1 from './gen/acme/inventory/v1/inventory_pb';`);
    expect(tree.read('libs/contracts/src/service-contracts.ts', 'utf-8')).toMatch(/SERVICES = \{ .*, inventory: InventoryService \} as const;/);
    expect(tree.read('libs/contracts/src/registry.ts', 'utf-8')).toMatch(/file_acme_inventory_v1_inventory, file_health_v1_health\]/);
    expect(manifestOf(tree)).toMatchObject({
      ready: { grpcHealth: 'acme.inventory.v1.InventoryService' },
      local: { port, databaseUrlVar: 'INVENTORY_DATABASE_URL' },
      database: { name: 'acme_inventory' },
    });
    expect(tree.read('apps/inventory-service/src/config.ts', 'utf-8')).toContain(`INVENTORY_SERVICE_DEFAULT_PORT = ${port};`);
    const scopes = readJson<{ clients: { client_id: string; scope: string }[] }>(tree, DEV_CLIENTS).clients.map((c) => [c.client_id, c.scope.split(' ').filter((s) => s.startsWith('inventory:'))]);
    expect(Object.fromEntries(scopes)).toEqual({
      alice: ['inventory:read', 'inventory:write'],
      bob: ['inventory:read', 'inventory:write'],
      reader: ['inventory:read'],
      admin: ['inventory:read', 'inventory:write'],
    });
  }, 60_000);

  it('only adds to the hand-written deployment files: every line of theirs stays, in its order (comments included)', async () => {
    const tree = workspaceTree();
    await serviceGenerator(tree, { name: 'inventory', database: true });
    const edited = tree.listChanges().filter((c) => c.type === 'UPDATE' && /\.(ya?ml|example)$/.test(c.path));
    expect(edited.length).toBeGreaterThanOrEqual(Object.values({ ...DEPLOYMENT_CHANGES, ...DATABASE_DEPLOYMENT_CHANGES }).filter((t) => t === 'UPDATE').length);
    for (const change of edited) {
      const before = readFileSync(workspacePath(change.path), 'utf8').split('\n');
      const after = tree.read(change.path, 'utf-8')!.split('\n');
      // `before` is a subsequence of `after` (the lists of the apps by name grow by one): the lines that are not kept, none when the edit only inserts.
      const kept = (line: string, old: string | undefined) => line === old || line === old?.replace(/\]$/, ', inventory-service]');
      let at = 0;
      for (const line of after) if (kept(line, before[at])) at++;
      expect([change.path, before.slice(at)]).toEqual([change.path, []]);
    }
  }, 60_000);

  it('takes --port, and refuses a service that exists', async () => {
    const tree = workspaceTree();
    await serviceGenerator(tree, { name: 'inventory', port: 50999 });
    expect(manifestOf(tree).local.port).toBe(50999);
    await expect(serviceGenerator(tree, { name: 'inventory' })).rejects.toThrow('apps/inventory-service exists already');
  }, 60_000);
});

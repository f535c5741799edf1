import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, type Tree } from '@nx/devkit';
import { FsTree } from 'nx/src/generators/tree';
import { workspacePath } from '@acme/testing';
import { serviceGenerator } from './generator';
import { nextGrpcPort } from './port-plan';
import { BROKER } from './broker-registration';
import { COMPOSE } from './compose-registration';
import { K8S } from './kubernetes-registration';
import { DEV_CLIENTS, ESLINT_CONFIG } from './workspace-registration';

// The generator run on this workspace as it is on disk, through a tree that
// records its changes and writes none (what --dry-run shows).
const workspaceTree = (): Tree => new FsTree(workspacePath(), false);

/** What the run would write, as --dry-run lists it: path -> CREATE/UPDATE. */
const changes = (tree: Tree) => Object.fromEntries(tree.listChanges().map((c) => [c.path.replace(/\d{13}-create-(widgets|inbox)/, '<time>-create-$1'), c.type]));

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
// --events: its events package, the outbox and inbox, a consumer; the broker's topology, users and the checks' lists.
const EVENTS_FILES = [
  'src/events/events.module.ts',
  'src/events/events.consumer.ts',
  'src/events/user-deleted.handler.ts',
  'src/events/events.manifest.spec.ts',
  'src/outbox/widget-events.ts',
  'src/database/migrations/<time>-create-inbox.ts',
  'test/events.spec.ts',
];
const EVENTS_CHANGES = {
  'proto/acme/inventory/v1/events.proto': 'CREATE',
  'libs/contracts/src/gen/acme/inventory/v1/events_pb.ts': 'CREATE',
  'libs/contracts/src/event-contracts.ts': 'UPDATE',
  ...Object.fromEntries([...BROKER.topology, ...BROKER.users, BROKER.devBroker].map((path) => [path, 'UPDATE'])),
};
// --calls=user-service: the client, and the callee's peer policy and NetworkPolicy.
const CALLS_FILES = ['src/users/users.module.ts', 'src/users/user-directory.ts'];
const CALLS_CHANGES = { 'apps/user-service/src/users/peer-policy.ts': 'UPDATE', 'k8s/base/user-service/network-policy.yaml': 'UPDATE' };
const EVERYTHING = { database: true, events: true, calls: 'user-service' } as const;
const created = (files: readonly string[]) => Object.fromEntries(files.map((f) => [`apps/inventory-service/${f}`, 'CREATE']));

interface LaunchManifest {
  readonly ready: { readonly grpcHealth: string };
  readonly local: { readonly port: number; readonly databaseUrlVar?: string };
  readonly database?: { readonly name: string };
  readonly broker?: { readonly urlVar: string; readonly consumes?: { readonly queue: string; readonly events: readonly string[] } };
  readonly upstreams: Record<string, string>;
}
const manifestOf = (tree: Tree): LaunchManifest => readJson(tree, 'apps/inventory-service/project.json').metadata.launch;

describe('nx g @acme/workspace:service, on this workspace', () => {
  it.each([
    ['--database', { database: true }, { ...created([...APP_FILES, ...DATABASE_FILES]), ...WORKSPACE_CHANGES, ...DEPLOYMENT_CHANGES, ...DATABASE_DEPLOYMENT_CHANGES }],
    ['no database', { database: false }, { ...created(APP_FILES), ...WORKSPACE_CHANGES, ...DEPLOYMENT_CHANGES }],
    [
      '--database --events --calls=user-service',
      EVERYTHING,
      {
        ...created([...APP_FILES, ...DATABASE_FILES, ...EVENTS_FILES, ...CALLS_FILES]),
        ...WORKSPACE_CHANGES,
        ...DEPLOYMENT_CHANGES,
        ...DATABASE_DEPLOYMENT_CHANGES,
        ...EVENTS_CHANGES,
        ...CALLS_CHANGES,
      },
    ],
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

  it('with --events publishes WidgetCreated, consumes UserDeleted from a queue of its own, and gives it a broker user with exactly its access', async () => {
    const tree = workspaceTree();
    await serviceGenerator(tree, { name: 'inventory', database: true, events: true });
    expect(tree.read('libs/contracts/src/event-contracts.ts', 'utf-8')).toContain(`inventoryWidgetCreated: contract(InventoryWidgetCreatedSchema, 'inventory.v1.widget_created'),`);
    expect(manifestOf(tree).broker).toEqual({ urlVar: 'AMQP_URL', consumes: { queue: 'inventory-service.user-events', events: ['acme.user.v1.UserDeleted'] } });
    expect(tree.read('apps/inventory-service/src/events/events.consumer.ts', 'utf-8')).toContain(`INVENTORY_EVENTS_CONSUMER = 'inventory-service.user-events'`);
    const topology = readJson<{ bindings: { destination: string; routing_key: string }[] }>(tree, BROKER.topology[0]);
    expect(topology.bindings).toContainEqual(expect.objectContaining({ destination: 'inventory-service.user-events', routing_key: 'user.v1.deleted' }));
    expect(tree.read(BROKER.topology[1], 'utf-8')).toBe(tree.read(BROKER.topology[0], 'utf-8')); // the dev overlay's copy stays identical
    const users = readJson<{ permissions: { user: string; read: string }[] }>(tree, BROKER.users[0]);
    expect(users.permissions.find((p) => p.user === 'inventory-service')?.read).toBe('^(acme\\.events|inventory-service\\.user-events)$');
    expect(tree.read('k8s/base/inventory-service/deployment.yaml', 'utf-8')).toMatch(/terminationGracePeriodSeconds: 45\n[\s\S]*- name: AMQP_URL/);
    // Without --calls the widgets have no user, so the handler is where the fork writes its own effect.
    expect(tree.read('apps/inventory-service/src/events/user-deleted.handler.ts', 'utf-8')).toContain('what inventory-service does about it goes in handle()');
  }, 60_000);

  it('takes --consumes for another event of the system, and refuses what is not one', async () => {
    const tree = workspaceTree();
    await serviceGenerator(tree, { name: 'inventory', database: true, events: true, consumes: 'acme.order.v1.OrderCreated' });
    expect(tree.read('apps/inventory-service/src/events/order-created.handler.ts', 'utf-8')).toContain('implements EventHandler<orderEventsV1.OrderCreated>');
    expect(manifestOf(tree).broker?.consumes).toEqual({ queue: 'inventory-service.order-events', events: ['acme.order.v1.OrderCreated'] });
    await expect(serviceGenerator(workspaceTree(), { name: 'stock', database: true, events: true, consumes: 'acme.user.v1.UserCreated' })).rejects.toThrow(
      /--consumes acme\.user\.v1\.UserCreated: not an event of .*\(acme\.user\.v1\.UserDeleted, acme\.order\.v1\.OrderCreated, acme\.order\.v1\.OrderCancelled\)/,
    );
  }, 60_000);

  it.each([
    ['--events without --database', { events: true }, '--events needs --database'],
    ['--consumes without --events', { database: true, consumes: 'acme.user.v1.UserDeleted' }, '--consumes is an option of --events'],
    ['--calls of a project that is not there', { calls: 'billing-service' }, '--calls billing-service: no such project in this workspace'],
    ['--calls of an app that serves no gRPC', { calls: 'api-gateway' }, '--calls api-gateway: not a gRPC service'],
  ])('refuses %s', async (_case, options, message) => {
    await expect(serviceGenerator(workspaceTree(), { name: 'inventory', ...options })).rejects.toThrow(message);
  });

  it('with --calls=user-service asks user-service about the user, and user-service lets it in', async () => {
    const tree = workspaceTree();
    await serviceGenerator(tree, { name: 'inventory', calls: 'user-service' });
    expect(manifestOf(tree).upstreams).toEqual({ USER_SERVICE_URL: 'user-service', AUTH_ISSUER: 'identity-provider' });
    expect(tree.read('apps/user-service/src/users/peer-policy.ts', 'utf-8')).toMatch(/^ {2}getUser: \[.*'inventory-service'\],$/m);
    expect(tree.read('k8s/base/user-service/network-policy.yaml', 'utf-8')).toContain('app.kubernetes.io/name: inventory-service');
    expect(tree.read('k8s/base/inventory-service/kustomization.yaml', 'utf-8')).toContain('- USER_SERVICE_URL=dns:///user-service-headless:50051');
    expect(tree.read('proto/acme/inventory/v1/inventory.proto', 'utf-8')).toContain('FAILED_PRECONDITION: user-service knows no user `user_id`.');
    expect(tree.read('apps/inventory-service/src/main.ts', 'utf-8')).not.toContain('propagateCallContext: false'); // the caller's token and deadline go upstream
  }, 60_000);

  it('with --calls=order-service asks GetOrder about the order its widget is for, and order-service lets it in', async () => {
    const tree = workspaceTree();
    await serviceGenerator(tree, { name: 'inventory', database: true, calls: 'order-service' });
    expect(manifestOf(tree).upstreams).toEqual({ ORDER_SERVICE_URL: 'order-service', AUTH_ISSUER: 'identity-provider' });
    expect(tree.read('apps/order-service/src/orders/peer-policy.ts', 'utf-8')).toMatch(/^ {2}getOrder: \[.*'inventory-service'\],$/m);
    expect(tree.read('k8s/base/order-service/network-policy.yaml', 'utf-8')).toContain('app.kubernetes.io/name: inventory-service');
    expect(tree.read('proto/acme/inventory/v1/inventory.proto', 'utf-8')).toMatch(/FAILED_PRECONDITION: order-service knows no order `order_id`\.[\s\S]*string order_id = 2 \[/);
    expect(tree.read('apps/inventory-service/src/orders/order-directory.ts', 'utf-8')).toContain('await this.upstream.getOrder({ id });');
    expect(tree.read('apps/inventory-service/src/widgets/widgets.service.ts', 'utf-8')).toContain('await this.orders.assertOrderExists(orderId);');
    expect(tree.read('apps/inventory-service/src/database/migrations/' + tree.children('apps/inventory-service/src/database/migrations').find((f) => f.includes('widgets')), 'utf-8')).toContain('order_id    uuid        NOT NULL');
    // Its test creates what an order needs first: a user in user-service, then the order.
    const e2e = tree.read('apps/inventory-service/test/inventory-service.spec.ts', 'utf-8')!;
    expect(e2e.indexOf('const userId = (await userClient.createUser(')).toBeGreaterThan(-1);
    expect(e2e.indexOf('orderId = (await orderClient.createOrder({ userId,')).toBeGreaterThan(e2e.indexOf('const userId ='));
  }, 60_000);

  it('with --calls of a service it generated before, refers to that service\'s widget by a name of its own', async () => {
    const tree = workspaceTree();
    await serviceGenerator(tree, { name: 'inventory', calls: 'user-service' });
    await serviceGenerator(tree, { name: 'stock', calls: 'inventory-service' });
    const proto = tree.read('proto/acme/stock/v1/stock.proto', 'utf-8')!;
    expect(proto).toContain('string inventory_widget_id = 2 [');
    expect(tree.read('apps/inventory-service/src/widgets/peer-policy.ts', 'utf-8')).toMatch(/^ {2}getWidget: \['api-gateway', 'stock-service'\],$/m);
    expect(tree.read('apps/stock-service/src/inventory-widgets/inventory-widgets.module.ts', 'utf-8')).toContain('export class InventoryWidgetsModule {}');
    expect(readJson(tree, 'apps/stock-service/project.json').implicitDependencies).toEqual(['identity-provider', 'inventory-service', 'user-service']);
    // Its test makes the chain: a user, an inventory widget of theirs, then the stock widget.
    const e2e = tree.read('apps/stock-service/test/stock-service.spec.ts', 'utf-8')!;
    expect(e2e).toMatch(/const userId = \(await userClient\.createUser\([\s\S]*inventoryWidgetId = \(await inventoryClient\.createWidget\(\{ name: 'Upstream widget', userId \}\)\)\.id;/);
    expect(readJson(tree, 'apps/stock-service/project.json').metadata.launch.upstreams).toEqual({ INVENTORY_SERVICE_URL: 'inventory-service', AUTH_ISSUER: 'identity-provider' });
  }, 120_000);

  it.each([
    ['--database', { database: true }],
    ['--database --events --calls=user-service', EVERYTHING],
  ])('with %s only adds to the hand-written deployment files: every line of theirs stays, in its order (comments included)', async (_case, options) => {
    const tree = workspaceTree();
    await serviceGenerator(tree, { name: 'inventory', ...options });
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

  it.each([
    ['--database', { database: true }],
    ['--database --calls=user-service', { database: true, calls: 'user-service' }],
  ])('takes %s from the command line, where Nx adds the defaults of schema.json', async (_case, options) => {
    const { properties } = JSON.parse(readFileSync(join(__dirname, 'schema.json'), 'utf8')) as { properties: Record<string, { default?: unknown }> };
    const defaults = Object.fromEntries(Object.entries(properties).flatMap(([name, p]) => ('default' in p ? [[name, p.default]] : [])));
    await expect(serviceGenerator(workspaceTree(), { name: 'inventory', ...defaults, ...options })).resolves.toBeInstanceOf(Function);
  }, 60_000);

  it('takes --port, and refuses a service that exists', async () => {
    const tree = workspaceTree();
    await serviceGenerator(tree, { name: 'inventory', port: 50999 });
    expect(manifestOf(tree).local.port).toBe(50999);
    await expect(serviceGenerator(tree, { name: 'inventory' })).rejects.toThrow('apps/inventory-service exists already');
  }, 60_000);
});

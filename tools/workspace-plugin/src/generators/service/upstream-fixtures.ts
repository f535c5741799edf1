import { names, type Tree } from '@nx/devkit';
import { protoOf, servedService, servicesKey, upstreamAppsOf } from './callee-contract';

/**
 * How a test creates one resource of a service, as alice: the call, and the
 * resource of another service its request names (created first).
 */
interface Creation {
  readonly needs?: { readonly app: string; readonly property: string };
  readonly call: (client: string) => string;
}

/** The hand-written services, whose create requests the generator knows (user.proto, order.proto). */
const HAND_WRITTEN: Record<string, Creation> = {
  'user-service': {
    call: (client) => `${client}.createUser({ email: \`widgets-\${Date.now()}@example.com\`, name: 'Widget Owner', idempotencyKey: '' })`,
  },
  'order-service': {
    needs: { app: 'user-service', property: 'userId' },
    call: (client) => `${client}.createOrder({ userId, items: [{ sku: 'WIDGET-1', quantity: 1, unitPriceCents: 100n }], idempotencyKey: \`widgets-\${Date.now()}\` })`,
  },
};

/**
 * A service this generator made: CreateWidget takes a name and, when that
 * service calls another, the id of the other's resource (its one `*_id`
 * field), which is created first.
 */
function generatedCreation(tree: Tree, app: string, typeName: string): Creation | undefined {
  const proto = protoOf(tree, app, typeName).text;
  if (!/^ {2}rpc CreateWidget\(CreateWidgetRequest\)/m.test(proto)) return undefined;
  const request = /^message CreateWidgetRequest \{\n[\s\S]*?^\}/m.exec(proto)?.[0] ?? '';
  const field = /^ {2}string (\w+_id) = \d+/m.exec(request)?.[1];
  if (!field) return { call: (client) => `${client}.createWidget({ name: 'Upstream widget' })` };
  const [upstream] = upstreamAppsOf(tree, app);
  if (!upstream) throw new Error(`--calls ${app}: its CreateWidget names ${field}, but its launch manifest calls no service`);
  const property = names(field).propertyName;
  return { needs: { app: upstream, property }, call: (client) => `${client}.createWidget({ name: 'Upstream widget', ${property} })` };
}

function lines(tree: Tree, app: string, assign: string): string[] {
  const typeName = servedService(tree, app);
  const creation = HAND_WRITTEN[app] ?? generatedCreation(tree, app, typeName);
  if (!creation) throw new Error(`--calls ${app}: the generator does not know how its tests would create a resource there (known: ${Object.keys(HAND_WRITTEN).join(', ')} and the services it generated)`);
  const key = servicesKey(tree, app, typeName);
  const client = `${key}Client`;
  return [
    ...(creation.needs ? lines(tree, creation.needs.app, `const ${creation.needs.property} =`) : []),
    `const ${client} = testClient(system.address('${app}'), SERVICES.${key}, alice);`,
    `${assign} (await ${creation.call(client)}).id;`,
    `${client}.close();`,
  ];
}

/**
 * The setup lines of the new service's tests that create, as alice, the
 * upstream resource its widgets refer to, and set `property` to its id.
 * `system` (a RunningSystem with the upstreams) and `alice` (her token) are
 * in scope there.
 */
export function upstreamFixture(tree: Tree, upstream: { readonly app: string; readonly property: string }): string[] {
  return lines(tree, upstream.app, `${upstream.property} =`);
}

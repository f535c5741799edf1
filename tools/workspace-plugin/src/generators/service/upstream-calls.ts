import { names, type Tree } from '@nx/devkit';
import { protoOf, servedService, servicesKey, withUpstreams } from './callee-contract';
import { appPorts } from './port-plan';
import { upstreamFixture } from './upstream-fixtures';

/** What the new service's resource refers to upstream (--calls), in every case the templates need. */
export interface UpstreamReference {
  /** e.g. user, or inventory widget when the callee's resource has the caller's own name. */
  readonly noun: string;
  /** The noun with its article, e.g. a user, an order. */
  readonly aNoun: string;
  /** The proto field and the column, e.g. user_id. */
  readonly field: string;
  /** The TypeScript property, e.g. userId. */
  readonly property: string;
  /** e.g. User, InventoryWidget: the directory's class, its method. */
  readonly className: string;
  /** e.g. users, inventoryWidgets: the directory's property where the service uses it. */
  readonly collection: string;
  /** e.g. users, inventory-widgets: the folder of its client. */
  readonly folder: string;
  /** e.g. user-directory. */
  readonly file: string;
}

/** An upstream the new service calls (--calls), and how the sample RPC uses it. */
export interface UpstreamCall {
  /** The callee's app, e.g. user-service. */
  readonly app: string;
  /** Its key in SERVICES, e.g. user. */
  readonly service: string;
  /** Its gRPC port (its manifest's local port, its Service's port). */
  readonly port: number;
  /** The caller's variable for its target, e.g. USER_SERVICE_URL, and for its deadline. */
  readonly urlVar: string;
  readonly deadlineVar: string;
  /** Its default deadline, in config.ts, compose and the Kubernetes base alike. */
  readonly deadlineMs: number;
  /** The client's injection token, e.g. USER_SERVICE_CLIENT. */
  readonly clientToken: string;
  /** The callee's peer policy, where the new caller is admitted to `rpc`. */
  readonly peerPolicy: string;
  /** The RPC that tells whether a resource exists (Get<Resource> by id), as the client names it, e.g. getUser. */
  readonly rpc: string;
  readonly reference: UpstreamReference;
  /**
   * The callee and every service it calls in turn: what the new service's
   * tests start with it, so what must be built before them.
   */
  readonly launches: readonly string[];
  /**
   * The lines of a test's setup that create one such resource upstream, as
   * alice, and set `reference.property` to its id (the callee's own
   * upstreams first, when it has any).
   */
  readonly fixture: readonly string[];
}

/**
 * The RPC that says whether a resource exists: `rpc Get<Resource>(Get<Resource>Request)`
 * whose request is the resource's `id` (as AIP-131 has it), e.g. GetUser.
 */
function getterOf(app: string, proto: { path: string; text: string }): string {
  for (const [, resource = ''] of proto.text.matchAll(/^ {2}rpc Get(\w+)\(Get\1Request\) returns \(\1\)/gm)) {
    if (new RegExp(`^message Get${resource}Request \\{\\n {2}string id = 1\\b`, 'm').test(proto.text)) return resource;
  }
  throw new Error(`--calls ${app}: ${proto.path} has no rpc Get<Resource>(Get<Resource>Request) whose request is a string id, which the sample RPC would ask`);
}

/** The peer policy of the callee's service: the file under its src/ that builds it with peerPolicy(SERVICES.<key>, ...). */
function peerPolicyOf(tree: Tree, app: string, key: string): string {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const child of tree.children(dir)) {
      const path = `${dir}/${child}`;
      if (tree.isFile(path)) {
        if (child === 'peer-policy.ts' && tree.read(path, 'utf-8')?.includes(`peerPolicy(SERVICES.${key},`)) found.push(path);
      } else visit(path);
    }
  };
  visit(`apps/${app}/src`);
  const [path, ...more] = found;
  if (!path || more.length > 0) throw new Error(`--calls ${app}: expected one peer-policy.ts under apps/${app}/src with peerPolicy(SERVICES.${key}, ...), found ${found.length}`);
  return path;
}

/**
 * How the new service (whose own resource is `ownResource`) refers to the
 * callee's: by its name (user_id), or, when that is the caller's own
 * resource's name too, prefixed with the callee's domain (inventory_widget_id).
 */
function referenceTo(resource: string, calleeDomain: string, ownResource: string): UpstreamReference {
  const { className } = names(resource === ownResource ? `${calleeDomain}-${names(resource).fileName}` : resource);
  const kebab = names(className).fileName;
  const noun = kebab.replace(/-/g, ' ');
  return {
    noun,
    aNoun: `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`,
    field: `${kebab.replace(/-/g, '_')}_id`,
    property: `${names(className).propertyName}Id`,
    className,
    collection: `${names(className).propertyName}s`,
    folder: `${kebab}s`,
    file: `${kebab}-directory`,
  };
}

/** One second: a lookup by id, as order-service's of users (USER_SERVICE_DEADLINE_MS). */
const UPSTREAM_DEADLINE_MS = 1000;

/** The sample's own resource: what CreateWidget stores. */
export const OWN_RESOURCE = 'Widget';

export function upstreamCall(tree: Tree, app: string): UpstreamCall {
  const typeName = servedService(tree, app);
  const port = appPorts(tree).get(app)?.port;
  if (port === undefined) throw new Error(`--calls ${app}: apps/${app}/project.json has no launch.local.port`);
  const service = servicesKey(tree, app, typeName);
  const proto = protoOf(tree, app, typeName);
  const resource = getterOf(app, proto);
  const reference = referenceTo(resource, app.replace(/-service$/, ''), OWN_RESOURCE);
  const { constantName } = names(app);
  return {
    app,
    service,
    port,
    urlVar: `${constantName}_URL`,
    deadlineVar: `${constantName}_DEADLINE_MS`,
    deadlineMs: UPSTREAM_DEADLINE_MS,
    clientToken: `${constantName}_CLIENT`,
    peerPolicy: peerPolicyOf(tree, app, service),
    rpc: `get${resource}`,
    reference,
    launches: withUpstreams(tree, app),
    fixture: upstreamFixture(tree, { app, property: reference.property }),
  };
}

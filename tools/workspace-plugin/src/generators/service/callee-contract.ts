import { getProjects, readProjectConfiguration, type Tree } from '@nx/devkit';
import { SERVICE_CONTRACTS } from './contracts-registration';

// What the generator reads of a service the new one calls (--calls): its
// launch manifest, its entry in @acme/contracts, its proto. Read, never
// listed here: any gRPC service of the workspace can be called.

/** acme.user.v1.UserService -> UserService. */
const localName = (typeName: string) => typeName.slice(typeName.lastIndexOf('.') + 1);

/** What the generator reads of an app's launch manifest (`metadata.launch` in its project.json). */
interface CalleeLaunch {
  readonly protocol?: string;
  readonly ready?: { readonly grpcHealth?: string };
  readonly upstreams?: Record<string, string>;
}
const launchOf = (tree: Tree, app: string): CalleeLaunch | undefined =>
  (readProjectConfiguration(tree, app).metadata as { launch?: CalleeLaunch } | undefined)?.launch;

/** The gRPC service an app serves: the one its launch manifest's readiness asks health about. */
export function servedService(tree: Tree, app: string): string {
  if (!getProjects(tree).has(app)) throw new Error(`--calls ${app}: no such project in this workspace`);
  const launch = launchOf(tree, app);
  const typeName = launch?.protocol === 'grpc' ? launch.ready?.grpcHealth : undefined;
  if (!typeName) throw new Error(`--calls ${app}: not a gRPC service (its project.json has no metadata.launch with protocol grpc and ready.grpcHealth)`);
  return typeName;
}

/** The key of a service in @acme/contracts' SERVICES, found by the generated service's name. */
export function servicesKey(tree: Tree, app: string, typeName: string): string {
  const local = localName(typeName);
  const text = tree.read(SERVICE_CONTRACTS, 'utf-8') ?? '';
  const key = new RegExp(`\\b(\\w+): ${local}\\b`).exec(text.slice(text.indexOf('SERVICES')))?.[1];
  if (!key) throw new Error(`--calls ${app}: ${SERVICE_CONTRACTS} has no SERVICES entry for ${local}`);
  return key;
}

/** The proto file that declares `service <local>` (in the package of typeName), and its text. */
export function protoOf(tree: Tree, app: string, typeName: string): { path: string; text: string } {
  const dir = `proto/${typeName.split('.').slice(0, -1).join('/')}`;
  const local = localName(typeName);
  for (const file of tree.children(dir).filter((f) => f.endsWith('.proto'))) {
    const text = tree.read(`${dir}/${file}`, 'utf-8') ?? '';
    if (new RegExp(`^service ${local} \\{`, 'm').test(text)) return { path: `${dir}/${file}`, text };
  }
  throw new Error(`--calls ${app}: no proto under ${dir} declares service ${local}`);
}

/** The apps an app calls, from its launch manifest's upstreams (the token issuer is not a service it calls). */
export function upstreamAppsOf(tree: Tree, app: string): string[] {
  return Object.entries(launchOf(tree, app)?.upstreams ?? {})
    .filter(([variable]) => variable !== 'AUTH_ISSUER')
    .map(([, upstream]) => upstream);
}

/** `app` and every app it calls, transitively (what a launcher starts with it), in that order. */
export function withUpstreams(tree: Tree, app: string): string[] {
  const all = [app];
  for (const caller of all) for (const upstream of upstreamAppsOf(tree, caller)) if (!all.includes(upstream)) all.push(upstream);
  return all;
}

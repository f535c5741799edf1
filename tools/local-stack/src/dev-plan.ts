import { posix } from 'node:path';

/** What `npm run dev` needs of Nx's project graph (`createProjectGraphAsync` gives more). */
export interface ProjectGraphView {
  readonly nodes: Readonly<Record<string, { readonly data: { readonly root: string } }>>;
  /** By project: the projects it depends on, and how Nx learnt it (an import, or `implicitDependencies`). */
  readonly dependencies: Readonly<Record<string, readonly { readonly target: string; readonly type: string }[]>>;
}

export interface DevPlan {
  /** A .proto changed: run `npm run proto:generate` first (its output, a change under libs/contracts, drives the next round). */
  readonly regenerateContracts: boolean;
  /** The launched apps to rebuild and then restart, in the order given (start order). */
  readonly services: readonly string[];
  /** Changed files no project owns, or that no build reads (tests): nothing to do for them. */
  readonly ignored: readonly string[];
}

/** Where the contracts come from; every other file belongs to the project whose root holds it. */
export const PROTO_ROOT = 'proto';

/** Tests are not part of an app's build (tsconfig.app.json excludes them): a change there restarts nothing. */
const NOT_BUILT = [/\.spec\.ts$/, /(^|\/)test\//, /(^|\/)jest\.config\.[jt]s$/, /(^|\/)tsconfig\.spec\.json$/];

/**
 * Which services a batch of changed files (workspace-relative paths) affects:
 * each file's project and everything that depends on it, directly or not,
 * among the launched apps. Nx's graph knows the edges; nothing is listed here.
 * Only code edges count: an implicit dependency (api-gateway's on the
 * services, so its tests find them built) says "build that first", not "runs
 * its code", and apps never import each other.
 */
export function planChanges(files: readonly string[], graph: ProjectGraphView, launched: readonly string[]): DevPlan {
  const roots = Object.entries(graph.nodes)
    .map(([name, node]) => ({ name, root: posix.normalize(node.data.root) }))
    .filter(({ root }) => root !== '.' && root !== '')
    .sort((a, b) => b.root.length - a.root.length); // the innermost project owns a file
  const ownerOf = (file: string) => roots.find(({ root }) => file === root || file.startsWith(`${root}/`))?.name;

  let regenerateContracts = false;
  const changed = new Set<string>();
  const ignored: string[] = [];
  for (const file of files.map((f) => posix.normalize(f))) {
    if (file.startsWith(`${PROTO_ROOT}/`) && file.endsWith('.proto')) {
      regenerateContracts = true;
      continue;
    }
    const owner = ownerOf(file);
    if (!owner || NOT_BUILT.some((pattern) => pattern.test(file))) ignored.push(file);
    else changed.add(owner);
  }

  const dependents = new Map<string, string[]>();
  for (const [source, edges] of Object.entries(graph.dependencies)) {
    for (const { target, type } of edges) if (type !== 'implicit') dependents.set(target, [...(dependents.get(target) ?? []), source]);
  }
  const affected = new Set<string>();
  const visit = (project: string) => {
    if (affected.has(project)) return;
    affected.add(project);
    for (const dependent of dependents.get(project) ?? []) visit(dependent);
  };
  for (const project of changed) visit(project);

  return { regenerateContracts, services: launched.filter((app) => affected.has(app)), ignored };
}

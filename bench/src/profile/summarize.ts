/** The parts of a V8 .cpuprofile (as written by node --cpu-prof) that the summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  /** Microseconds of self time. */
  readonly us: number;
  /** Share of the busy (non-idle) time, 0..100. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly busyUs: number;
  readonly idleUs: number;
  readonly functions: SelfTime[];
  readonly modules: SelfTime[];
  /**
   * Time with the module anywhere on the (synchronous) stack: what its calls
   * cost including what they call. Work resumed after an await starts a new
   * stack, so it counts for whoever resumes it.
   */
  readonly modulesInclusive: SelfTime[];
}

/**
 * Where a function lives, coarse enough to act on: the npm package
 * (@grpc/grpc-js, typeorm...), the workspace project (apps/user-service,
 * libs/grpc-kit...), Node's own subsystem (node:http2...), or V8's buckets
 * ((garbage collector), (program): native work not attributed to JS).
 */
export function moduleOf(url: string, functionName: string, workspaceRoot: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) {
    const segment = url.slice('node:'.length).replace(/^internal\//, '').split('/')[0] ?? '';
    return `node:${segment.replace(/\.js$/, '')}`;
  }
  const path = url.replace(/^file:\/\//, '');
  const nodeModules = path.lastIndexOf('/node_modules/');
  if (nodeModules >= 0) {
    const [first, second] = path.slice(nodeModules + '/node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? path);
  }
  const root = workspaceRoot.endsWith('/') ? workspaceRoot : `${workspaceRoot}/`;
  if (path.startsWith(root)) return path.slice(root.length).split('/').slice(0, 2).join('/');
  return path;
}

const IDLE = '(idle)';

/**
 * Self time per function and per module. Sample i lasts until sample i+1
 * (timeDeltas[i+1]); the last one until endTime. Idle time (the event loop
 * waiting) is reported apart and left out of the percentages.
 */
export function summarizeProfile(profile: CpuProfile, workspaceRoot: string, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByNode = new Map<number, number>();
  let timestamp = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    timestamp += profile.timeDeltas[i] ?? 0;
    const next = i + 1 < profile.samples.length ? timestamp + (profile.timeDeltas[i + 1] ?? 0) : profile.endTime;
    const id = profile.samples[i] as number;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + Math.max(0, next - timestamp));
  }
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const stackModules = new Map<number, ReadonlySet<string>>();
  const modulesOnStack = (id: number): ReadonlySet<string> => {
    let known = stackModules.get(id);
    if (known) return known;
    const frame = byId.get(id)?.callFrame;
    const parent = parentOf.get(id);
    const set = new Set(parent === undefined ? [] : modulesOnStack(parent));
    if (frame && !frame.functionName.startsWith('(')) set.add(moduleOf(frame.url, frame.functionName, workspaceRoot));
    else if (frame?.functionName === '(garbage collector)') set.add(frame.functionName);
    known = set;
    stackModules.set(id, known);
    return known;
  };
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of selfByNode) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === IDLE) {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const module = moduleOf(frame.url, frame.functionName, workspaceRoot);
    const file = frame.url.split('/').pop() ?? '';
    const name = frame.url === '' ? frame.functionName : `${frame.functionName || '(anonymous)'} (${module} ${file}:${frame.lineNumber + 1})`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    modules.set(module, (modules.get(module) ?? 0) + us);
    for (const onStack of modulesOnStack(id)) inclusive.set(onStack, (inclusive.get(onStack) ?? 0) + us);
  }
  const ranked = (totals: Map<string, number>) =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, us, percent: busyUs > 0 ? (us / busyUs) * 100 : 0 }));
  return { busyUs, idleUs, functions: ranked(functions), modules: ranked(modules), modulesInclusive: ranked(inclusive) };
}

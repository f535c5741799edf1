import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

// Checks of the observability configuration that cannot run here (no image
// of the collector, Jaeger or Grafana can be pulled): what their own loaders
// would reject, checked against what the files declare.

type Section = Record<string, unknown> | null | undefined;

interface CollectorConfig {
  extensions?: Section;
  receivers?: Section;
  processors?: Section;
  exporters?: Section;
  connectors?: Section;
  service?: { extensions?: string[]; pipelines?: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }> };
}

const PIPELINE_SIGNALS = new Set(['traces', 'metrics', 'logs']);

/**
 * The collector's own rules for service.pipelines: each pipeline is named
 * <signal>[/<name>], has receivers and exporters, and names only components
 * its sections declare; every declared component is used (the collector
 * starts unused ones not at all, a sign of a typo); service.extensions exist.
 */
export function collectorPipelineProblems(config: CollectorConfig): string[] {
  const problems: string[] = [];
  const declared = (section: Section) => new Set(Object.keys(section ?? {}));
  const receivers = declared(config.receivers);
  const processors = declared(config.processors);
  const exporters = declared(config.exporters);
  const connectors = declared(config.connectors);
  const used = { receivers: new Set<string>(), processors: new Set<string>(), exporters: new Set<string>() };
  const pipelines = Object.entries(config.service?.pipelines ?? {});
  if (pipelines.length === 0) problems.push('service.pipelines: none');
  for (const [name, pipeline] of pipelines) {
    if (!PIPELINE_SIGNALS.has(name.split('/')[0]!)) problems.push(`pipeline ${name}: not traces, metrics or logs`);
    for (const kind of ['receivers', 'exporters'] as const) {
      if ((pipeline[kind] ?? []).length === 0) problems.push(`pipeline ${name}: no ${kind}`);
    }
    for (const [kind, known] of [
      ['receivers', new Set([...receivers, ...connectors])],
      ['processors', processors],
      ['exporters', new Set([...exporters, ...connectors])],
    ] as const) {
      for (const component of pipeline[kind] ?? []) {
        used[kind].add(component);
        if (!known.has(component)) problems.push(`pipeline ${name}: ${kind.slice(0, -1)} ${component} is not declared under ${kind}`);
      }
    }
  }
  for (const [kind, known] of [
    ['receivers', receivers],
    ['processors', processors],
    ['exporters', exporters],
  ] as const) {
    for (const component of known) if (!used[kind].has(component)) problems.push(`${kind}.${component}: declared but in no pipeline`);
  }
  const extensions = declared(config.extensions);
  for (const extension of config.service?.extensions ?? []) {
    if (!extensions.has(extension)) problems.push(`service.extensions: ${extension} is not declared under extensions`);
  }
  return problems;
}

interface Panel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { refId?: string; expr?: string; datasource?: { type?: string; uid?: string } }[];
  fieldConfig?: { defaults?: { links?: { url?: string }[] } };
  links?: { url?: string }[];
  gridPos?: { x: number; y: number; w: number; h: number };
  panels?: Panel[];
}
export interface Dashboard {
  uid?: string;
  title?: string;
  panels?: Panel[];
}

export interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
}

const allPanels = (d: Dashboard): Panel[] => (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);

/** Every PromQL expression of the dashboard's panels, with Grafana's variables given values Prometheus accepts. */
export function dashboardExpressions(d: Dashboard): string[] {
  return allPanels(d).flatMap((p) => (p.targets ?? []).flatMap((t) => (t.expr ? [t.expr.replace(/\$__rate_interval|\$__interval/g, '1m')] : [])));
}

/**
 * What Grafana would load wrongly or not at all: panels without a unique id
 * or outside the 24-column grid, queries without refId or expression, and
 * datasources (of panels, queries and Explore links) that the provisioning
 * does not define, or of the wrong type.
 */
export function dashboardProblems(d: Dashboard, datasources: readonly Datasource[]): string[] {
  const problems: string[] = [];
  const byUid = new Map(datasources.map((s) => [s.uid, s]));
  if (!d.uid || !d.title) problems.push('dashboard: no uid or title');
  const ids = new Set<number>();
  const check = (at: string, ds: { type?: string; uid?: string } | undefined) => {
    if (!ds?.uid) return problems.push(`${at}: no datasource uid`);
    const known = byUid.get(ds.uid);
    if (!known) problems.push(`${at}: datasource uid ${ds.uid} is not provisioned`);
    else if (ds.type && ds.type !== known.type) problems.push(`${at}: datasource ${ds.uid} is a ${known.type}, not a ${ds.type}`);
    return undefined;
  };
  for (const p of allPanels(d)) {
    const at = `panel ${p.id} "${p.title}"`;
    if (p.id === undefined || ids.has(p.id)) problems.push(`${at}: id missing or not unique`);
    if (p.id !== undefined) ids.add(p.id);
    const g = p.gridPos;
    if (!g || g.x < 0 || g.w < 1 || g.x + g.w > 24 || g.h < 1) problems.push(`${at}: gridPos outside the 24-column grid`);
    if (p.type === 'row') continue;
    check(at, p.datasource);
    const targets = p.targets ?? [];
    if (targets.length === 0) problems.push(`${at}: no queries`);
    for (const t of targets) {
      if (!t.refId || !t.expr) problems.push(`${at}: a query without refId or expr`);
      check(`${at} query ${t.refId}`, t.datasource ?? p.datasource);
    }
    for (const link of [...(p.links ?? []), ...(p.fieldConfig?.defaults?.links ?? [])]) {
      const explore = /^\/explore\?left=(.*)$/.exec(link.url ?? '');
      if (!explore) continue;
      // Grafana substitutes ${...} before it decodes the state; any value parses.
      const state = JSON.parse(decodeURIComponent(explore[1]!.replace(/\$\{[^}]+\}/g, 'x'))) as { datasource?: string; queries?: { datasource?: { type?: string; uid?: string } }[] };
      check(`${at} link`, { uid: state.datasource });
      for (const q of state.queries ?? []) check(`${at} link query`, q.datasource);
    }
  }
  return problems;
}

/**
 * PromQL syntax of expressions outside any rule file (the dashboard's), by
 * promtool: written as recording rules into a temporary file and checked
 * with `promtool check rules`. Returns promtool's complaints, [] when valid.
 */
export function promqlProblems(expressions: readonly string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'promql-'));
  try {
    const file = join(dir, 'expressions.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'check', rules: expressions.map((expr, i) => ({ record: `check:expr_${i}`, expr })) }] }));
    return promtool(['check', 'rules', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `promtool ARGS`: [] on success, its output lines otherwise. Throws when promtool is missing. */
export function promtool(args: readonly string[]): string[] {
  try {
    execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return [];
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('promtool not found: install Debian\'s prometheus package (apt-get install prometheus), as .ci/run does');
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').filter((l) => l.trim() !== '');
  }
}

/** Metric names a PromQL expression reads: what is left once strings, matchers, ranges, grouping labels and function calls are gone. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}|\[[^\]]*\]/g, '')
    .replace(/\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
  return [...bare.matchAll(/([a-zA-Z_:][\w:]*)(\s*\()?/g)].filter(([, name, call]) => name && !call && !KEYWORDS.has(name.toLowerCase())).map(([, name]) => name!);
}

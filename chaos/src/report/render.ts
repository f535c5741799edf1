import type { Bounds, CheckResult, MemoryState } from '../check/invariants';
import type { WatchTotals } from '../check/watch-invariants';
import { faultTable, type Totals } from './summary';

const ms = (value: number | undefined) => (value === undefined ? '-' : `${value} ms`);

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** The run's report in Markdown: faults per kind, totals by status, memory, violations. */
export function renderReport(run: { seed: number; minutes: number; runDir: string; originMs: number }, result: CheckResult, totals: Totals, memory: MemoryState, watchers: WatchTotals, bounds: Bounds, settledMs: number): string {
  const statuses = Object.keys(totals.byStatus).sort();
  const sections = [
    `# Chaos soak: seed ${run.seed}, ${run.minutes} min`,
    `Run directory: ${run.runDir}`,
    '## Faults',
    table(
      ['kind', 'injected', 'requests affected', 'recovery p50', 'recovery max'],
      faultTable(result).map((row) => [row.kind, row.injected, row.affected, ms(row.recoveryP50Ms), ms(row.recoveryMaxMs)]),
    ),
    '## Requests',
    table(
      ['kind', ...statuses, 'total'],
      [
        ...Object.entries(totals.byKind).map(([kind, counts]) => [kind, ...statuses.map((s) => counts[s] ?? 0), Object.values(counts).reduce((a, b) => a + b, 0)]),
        ['all', ...statuses.map((s) => totals.byStatus[s] ?? 0), totals.requests],
      ],
    ),
    `Settled in ${settledMs} ms after the workload stopped.`,
    "## Watchers (each user's changes after its watcher's snapshot, against order_changes)",
    table(
      ['watchers', 'connections', 'changes expected', 'received', 'duplicates', 'missed', 'out of order', 'unexpected'],
      [[watchers.watchers, watchers.connects, watchers.expected, watchers.received, watchers.duplicates, watchers.missed, watchers.outOfOrder, watchers.unexpected]],
    ),
    `## Resident memory (MB; each life of each process, compared after ${bounds.memory.warmUpMs / 1_000} s: median of its last third against its first, at most ${bounds.memory.growthFactor}x)`,
    table(
      ['process', 'pid', 'from', 'until', 'readings', 'first third', 'last third', 'growth', 'peak'],
      memory.series.map((m) => [
        m.process,
        m.pid,
        `${((m.fromMs - run.originMs) / 1_000).toFixed(0)} s`,
        `${((m.untilMs - run.originMs) / 1_000).toFixed(0)} s`,
        m.samples,
        m.firstMb?.toFixed(0) ?? '-',
        m.lastMb?.toFixed(0) ?? '-',
        m.growth === undefined ? 'too short to compare' : `${m.growth.toFixed(2)}x`,
        m.peakMb.toFixed(0),
      ]),
    ),
    ...(memory.notRunning.length === 0 ? [] : [`Not running at the end: ${memory.notRunning.join(', ')}.`]),
    `## Invariant violations: ${result.violations.length}`,
    ...(result.violations.length === 0 ? [] : [table(['invariant', 'detail'], result.violations.slice(0, 50).map((v) => [v.invariant, v.detail.replace(/\|/g, '\\|')]))]),
    ...(result.violations.length > 50 ? [`(and ${result.violations.length - 50} more in results.json)`] : []),
  ];
  return `${sections.join('\n\n')}\n`;
}

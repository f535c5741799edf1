import type { CheckResult } from '../check/invariants';
import type { MemoryRecord } from '../history/records';
import { faultTable, type Totals } from './summary';

const ms = (value: number | undefined) => (value === undefined ? '-' : `${value} ms`);

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** The run's report in Markdown: faults per kind, totals by status, memory, violations. */
export function renderReport(run: { seed: number; minutes: number; runDir: string }, result: CheckResult, totals: Totals, memory: readonly MemoryRecord[], settledMs: number): string {
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
    '## Resident memory (MB, at the first fault and at the end)',
    table(
      ['process', 'start', 'end', ''],
      memory.map((m) => [
        m.process,
        m.startMb.toFixed(0),
        m.endMb?.toFixed(0) ?? 'not running',
        m.restarted ? 'restarted: not compared' : m.endMb === undefined ? '' : `${(m.endMb / m.startMb).toFixed(2)}x`,
      ]),
    ),
    `## Invariant violations: ${result.violations.length}`,
    ...(result.violations.length === 0 ? [] : [table(['invariant', 'detail'], result.violations.slice(0, 50).map((v) => [v.invariant, v.detail.replace(/\|/g, '\\|')]))]),
    ...(result.violations.length > 50 ? [`(and ${result.violations.length - 50} more in results.json)`] : []),
  ];
  return `${sections.join('\n\n')}\n`;
}

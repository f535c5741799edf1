import type { AggregateRow } from '../aggregate';
import type { ColdStartResult, MemoryResult, WireResult } from '../model';
import { median } from '@acme/testing';
import type { BudgetLine } from './budget';
import { markdownTable, num, ratio } from './markdown';

const ms = (us: number | undefined) => (us === undefined ? '–' : num(us / 1000, 2));

/** The main table: medians per scenario, concurrency and variant, with ratios to each variant's reference. */
export function resultsTable(rows: readonly AggregateRow[]): string {
  const header = [
    'scenario', 'c', 'system', 'generator', 'req/s', 'vs ref', 'p50 ms', 'p99 ms', 'p99 vs ref',
    'server CPU µs/req', 'CPU vs ref', 'DB CPU µs/req', 'peak RSS MB (path)', 'gen CPU %', 'errors',
  ];
  // Scenario by scenario, then by concurrency; variants in the order they were measured.
  const scenarioRank = (row: AggregateRow) => rows.findIndex((r) => r.variant.scenario === row.variant.scenario);
  const ordered = [...rows].sort((a, b) => scenarioRank(a) - scenarioRank(b) || a.concurrency - b.concurrency);
  const body = ordered.map((row) => [
    row.variant.scenario,
    String(row.concurrency),
    row.variant.label,
    row.variant.generator,
    num(row.reqPerS),
    ratio(row.ratios?.reqPerS),
    ms(row.p50Us),
    ms(row.p99Us),
    ratio(row.ratios?.p99),
    num(row.cpuUsPerReq),
    ratio(row.ratios?.cpuUsPerReq),
    num(row.dbCpuUsPerReq),
    num(row.peakRssMb),
    num(row.generatorCorePercent),
    String(row.errors),
  ]);
  return markdownTable(header, body, ['left', 'right', 'left', 'left', ...Array<'right'>(11).fill('right')]);
}

/**
 * The same GetUser call over gRPC (straight to user-service) and over REST
 * (through the gateway, which calls user-service over gRPC): bytes on the
 * wire, latency at the lowest concurrency, throughput and CPU at a loaded one.
 */
export function protocolTable(
  rows: readonly AggregateRow[],
  wire: readonly WireResult[],
  variants: { grpc: string; rest: string },
): string {
  const concurrencies = [...new Set(rows.map((r) => r.concurrency))].sort((a, b) => a - b);
  const idle = concurrencies[0];
  const loaded = concurrencies.includes(16) ? 16 : concurrencies[concurrencies.length - 1];
  const header = [
    'protocol', 'path', 'request bytes (wire / payload)', 'response bytes (wire / payload)',
    `p50 ms c=${idle}`, `p99 ms c=${idle}`, `req/s c=${loaded}`, `server CPU µs/req c=${loaded}`,
  ];
  const body = (['grpc', 'rest'] as const).map((kind) => {
    const id = variants[kind];
    const at = (c: number | undefined) => rows.find((r) => r.variant.id === id && r.concurrency === c);
    const bytes = wire.find((w) => w.variant === id);
    const label = at(idle)?.variant.label ?? at(loaded)?.variant.label ?? id;
    return [
      bytes?.protocol ?? kind,
      label,
      bytes ? `${num(bytes.requestBytes)} / ${num(bytes.requestPayloadBytes)}` : '–',
      bytes ? `${num(bytes.responseBytes)} / ${num(bytes.responsePayloadBytes)}` : '–',
      ms(at(idle)?.p50Us),
      ms(at(idle)?.p99Us),
      num(at(loaded)?.reqPerS),
      num(at(loaded)?.cpuUsPerReq),
    ];
  });
  return markdownTable(header, body, ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right']);
}

export function startupTable(coldStarts: readonly ColdStartResult[], memory: readonly MemoryResult[]): string {
  const header = ['service', 'system', 'ready when', 'starts', 'cold start median ms', 'max ms', 'RSS at ready MB', 'RSS after warm-up MB', 'peak RSS MB'];
  const services = [
    ...coldStarts,
    ...memory
      .filter((m) => !coldStarts.some((s) => s.service === m.service))
      .map((m): ColdStartResult => ({ service: m.service, system: m.system, readyWhen: '–', startMs: [], rssAtReadyMb: [] })),
  ];
  const body = services.map((start) => {
    const mem = memory.find((m) => m.service === start.service && m.system === start.system);
    return [
      start.service,
      start.system,
      start.readyWhen,
      String(start.startMs.length),
      start.startMs.length ? num(median(start.startMs)) : '–',
      start.startMs.length ? num(Math.max(...start.startMs)) : '–',
      start.rssAtReadyMb.length ? num(median(start.rssAtReadyMb)) : '–',
      num(mem?.afterWarmupMb),
      num(mem?.peakMb),
    ];
  });
  return markdownTable(header, body, ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right']);
}

export function budgetList(lines: readonly BudgetLine[]): string {
  if (lines.length === 0) return '(no budget line could be evaluated with the figures of this run)';
  return lines.map((line) => `- ${line.pass ? 'PASS' : 'FAIL'} ${line.name}: ${line.detail}`).join('\n');
}

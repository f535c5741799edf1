import type { AggregateRow } from '../aggregate';
import type { ColdStartResult, MemoryResult, StreamingResult, WireResult } from '../model';
import type { BenchOptions } from '../options';
import { PROTOCOL_COMPARISON } from '../scenarios';
import type { BudgetLine } from './budget';
import { describeMachine, type MachineFacts } from './machine';
import { streamingSection } from './streaming-tables';
import { budgetList, protocolTable, resultsTable, startupTable } from './tables';

export interface ReportInput {
  readonly options: BenchOptions;
  readonly machine: MachineFacts;
  readonly loadAverages: readonly number[];
  readonly rows: readonly AggregateRow[];
  readonly wire: readonly WireResult[];
  readonly coldStarts: readonly ColdStartResult[];
  readonly memory: readonly MemoryResult[];
  readonly budget: readonly BudgetLine[];
  /** Did every counted CreateOrder write an order (see WriteLedger)? */
  readonly writeChecks: readonly { ok: boolean; line: string }[];
  /** What the tracing stacks exported over the whole run (Telemetry scenario). */
  readonly traceExports?: { readonly requests: number; readonly bytes: number };
  /** The Streaming scenario's figures, when it ran. */
  readonly streaming?: StreamingResult;
  readonly elapsedS: number;
}

/** The printed report: every table, with what produced the figures. */
export function renderReport(input: ReportInput): string {
  const { options, machine, loadAverages } = input;
  const load = loadAverages.length ? `${Math.min(...loadAverages).toFixed(1)}–${Math.max(...loadAverages).toFixed(1)}` : 'n/a';
  const sections = [
    `## Benchmark results${options.quick ? ' (--quick smoke run: too short to trust)' : ''}${options.profile ? ' (--profile: servers ran under --cpu-prof, figures are slowed)' : ''}`,
    '',
    `Machine: ${describeMachine(machine)}. 1-minute load average ${machine.loadAverageAtStart.toFixed(1)} at start, ${load} during the runs.`,
  ];
  if (input.rows.length > 0) {
    sections.push(
      `Runs: ${options.durationS} s each, ${options.rounds} alternating round(s) per concurrency, medians reported; ratios are medians of per-round ratios to the reference ("vs ref": product / raw baseline; gateway / direct gRPC). Whole benchmark: ${Math.round(input.elapsedS)} s.`,
      '',
      resultsTable(input.rows),
      '',
      'Generators: h2load = nghttp2 h2load (C) repeating one pre-encoded GetUser; node-http2 = bench/src/load/grpc-load-worker (raw node:http2, a fresh idempotency key per CreateOrder); wrk = wrk (C) with a Lua script (fresh Idempotency-Key per POST). Server CPU = /proc utime+stime of every server process on the path, per request; DB CPU = the Postgres backends of the path’s databases; gen CPU % = the generator’s own CPU as a share of one core.',
    );
  } else {
    sections.push(`Whole benchmark: ${Math.round(input.elapsedS)} s.`);
  }
  if (input.wire.length > 0 || input.rows.some((r) => r.variant.id === PROTOCOL_COMPARISON.rest)) {
    sections.push(
      '',
      '### gRPC versus REST: the same GetUser',
      '',
      protocolTable(input.rows, input.wire, PROTOCOL_COMPARISON),
      '',
      'Wire bytes: counted by a TCP relay over 1,000 calls (gRPC, h2load) or 2 s of calls (REST, wrk) on one connection, so connection setup is amortised; HTTP/2 or HTTP/1.1 framing and headers included (the generators send minimal headers), TCP/IP not. Payload: the protobuf message, or the JSON body. The REST path is gateway + user-service (the gateway calls it over gRPC), so its CPU is the sum of both.',
    );
  }
  if (input.coldStarts.length > 0 || input.memory.length > 0) {
    sections.push('', '### Cold start and memory', '', startupTable(input.coldStarts, input.memory));
  }
  if (input.writeChecks.length > 0) {
    sections.push(
      '',
      `Writes check: ${input.writeChecks.every((c) => c.ok) ? 'every counted CreateOrder wrote a new order' : 'MISMATCH, the CreateOrder figures are not all writes'} (${input.writeChecks.map((c) => c.line).join('; ')}).`,
    );
  }
  if (input.rows.some((r) => r.variant.scenario === 'Telemetry')) {
    const exported = input.traceExports;
    sections.push(
      '',
      'Telemetry: each mode runs on a product stack of its own (same databases), configured only by the variables a deployment sets: `METRICS_PORT` (metrics only; scraped by nobody, so the cost is recording), or `OTEL_EXPORTER_OTLP_ENDPOINT` with `OTEL_TRACES_SAMPLER` parentbased_traceidratio / parentbased_always_on (traces, BatchSpanProcessor and OTLP/HTTP protobuf to a sink that discards them)' +
        (exported ? `: ${exported.requests} export requests, ${(exported.bytes / 1e6).toFixed(1)} MB over the run.` : '.') +
        ' "vs ref" is to the same path with telemetry off, in the same rounds.',
    );
  }
  if (input.streaming) sections.push('', ...streamingSection(input.streaming));
  sections.push('', '### Budget', '', budgetList(input.budget));
  return sections.join('\n');
}

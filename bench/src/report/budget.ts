import type { AggregateRow } from '../aggregate';
import type { ColdStartResult, MemoryResult, StreamingResult, TelemetryMode } from '../model';
import { median } from '@acme/testing';

/** The performance budget of issue 5 (ratios are to the same-run reference). */
export const BUDGET = {
  getUserReqPerS: 0.85,
  createOrderReqPerS: 0.75,
  createOrderP99: 1.5,
  gatewayCreateOrderReqPerS: 0.6,
  coldStartMs: 1_500,
  rssAfterWarmupMb: 160,
  /** Telemetry's cost (issue 11): the order path's req/s with it on, as a share of the same path with it off. */
  telemetryReqPerS: { metrics: 0.97, sampled: 0.95, full: 0.85 },
  /** Throughput budgets are about server-bound load: judged at these concurrencies. */
  serverBoundConcurrencies: [16, 64],
  /** Streams (issue 16): order-service's RSS per 1,000 idle WatchOrders streams, and ImportUsers' rows/s over CreateUser's at c=16. */
  idleStreamMbPer1000: 10,
  importOverCreateUser: 5,
} as const;

export interface BudgetLine {
  readonly name: string;
  readonly pass: boolean;
  /** The figures behind the verdict. */
  readonly detail: string;
}

// Ratios are shown at two decimals rounded against the product (down for a
// floor, up for a ceiling), so a figure never looks better than its verdict:
// 0.8497 against a 0.85 floor shows as 0.84x, not as a failing "0.85x".
const EPSILON = 1e-9;
const atLeast = (value: number) => `${(Math.floor(value * 100 + EPSILON) / 100).toFixed(2)}x`;
const atMost = (value: number) => `${(Math.ceil(value * 100 - EPSILON) / 100).toFixed(2)}x`;
const rps = (value: number) => `${Math.round(value)} req/s`;
const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;

/** Which variants the budgets are about (ids from scenarios.ts). */
export interface BudgetSubjects {
  readonly getUser: string;
  readonly createOrder: string;
  readonly gatewayCreateOrder: string;
}

/**
 * One line per budget and concurrency that was measured. A line with no
 * figures (e.g. --quick skipped c=64) is left out rather than passed.
 */
export function evaluateBudget(
  rows: readonly AggregateRow[],
  subjects: BudgetSubjects,
  coldStarts: readonly ColdStartResult[],
  memory: readonly MemoryResult[],
): BudgetLine[] {
  const lines: BudgetLine[] = [];
  const referenceRow = (row: AggregateRow) =>
    rows.find((r) => r.variant.id === row.ratios?.reference && r.concurrency === row.concurrency);

  for (const concurrency of BUDGET.serverBoundConcurrencies) {
    const row = (id: string) => rows.find((r) => r.variant.id === id && r.concurrency === concurrency && r.ratios);

    const getUser = row(subjects.getUser);
    if (getUser?.ratios) {
      lines.push({
        name: `gRPC GetUser req/s >= ${BUDGET.getUserReqPerS}x baseline at c=${concurrency}`,
        pass: getUser.ratios.reqPerS >= BUDGET.getUserReqPerS,
        detail: `${atLeast(getUser.ratios.reqPerS)} (${rps(getUser.reqPerS)} vs ${rps(referenceRow(getUser)?.reqPerS ?? NaN)})`,
      });
    }
    const createOrder = row(subjects.createOrder);
    if (createOrder?.ratios) {
      const reference = referenceRow(createOrder);
      lines.push({
        name: `gRPC CreateOrder req/s >= ${BUDGET.createOrderReqPerS}x baseline at c=${concurrency}`,
        pass: createOrder.ratios.reqPerS >= BUDGET.createOrderReqPerS,
        detail: `${atLeast(createOrder.ratios.reqPerS)} (${rps(createOrder.reqPerS)} vs ${rps(reference?.reqPerS ?? NaN)})`,
      });
      lines.push({
        name: `gRPC CreateOrder p99 <= ${BUDGET.createOrderP99}x baseline at c=${concurrency}`,
        pass: createOrder.ratios.p99 <= BUDGET.createOrderP99,
        detail: `${atMost(createOrder.ratios.p99)} (${ms(createOrder.p99Us)} vs ${ms(reference?.p99Us ?? NaN)})`,
      });
    }
    const gateway = row(subjects.gatewayCreateOrder);
    if (gateway?.ratios) {
      lines.push({
        name: `HTTP POST /orders req/s >= ${BUDGET.gatewayCreateOrderReqPerS}x direct gRPC CreateOrder at c=${concurrency}`,
        pass: gateway.ratios.reqPerS >= BUDGET.gatewayCreateOrderReqPerS,
        detail: `${atLeast(gateway.ratios.reqPerS)} (${rps(gateway.reqPerS)} vs ${rps(referenceRow(gateway)?.reqPerS ?? NaN)})`,
      });
    }
    for (const telemetry of rows.filter((r) => r.concurrency === concurrency && r.ratios && r.variant.telemetry && r.variant.telemetry !== 'off')) {
      const floor = BUDGET.telemetryReqPerS[telemetry.variant.telemetry as Exclude<TelemetryMode, 'off'>];
      const ratios = telemetry.ratios as NonNullable<AggregateRow['ratios']>;
      lines.push({
        name: `${telemetry.variant.label}: req/s >= ${floor}x telemetry off at c=${concurrency}`,
        pass: ratios.reqPerS >= floor,
        detail: `${atLeast(ratios.reqPerS)} (${rps(telemetry.reqPerS)} vs ${rps(referenceRow(telemetry)?.reqPerS ?? NaN)}; CPU/req ${atMost(ratios.cpuUsPerReq)})`,
      });
    }
  }

  for (const start of coldStarts.filter((s) => s.system !== 'baseline' && s.startMs.length > 0)) {
    const typical = median(start.startMs);
    lines.push({
      name: `${start.service} cold start <= ${BUDGET.coldStartMs} ms`,
      pass: typical <= BUDGET.coldStartMs,
      detail: `median ${Math.round(typical)} ms, max ${Math.round(Math.max(...start.startMs))} ms over ${start.startMs.length} starts`,
    });
  }
  for (const process of memory.filter((m) => m.system !== 'baseline' && m.telemetry === 'off')) {
    lines.push({
      name: `${process.service} RSS after warm-up <= ${BUDGET.rssAfterWarmupMb} MB`,
      pass: process.afterWarmupMb <= BUDGET.rssAfterWarmupMb,
      detail: `${Math.round(process.afterWarmupMb)} MB (peak during the runs ${Math.round(process.peakMb)} MB)`,
    });
  }
  return lines;
}

const mb = (value: number) => `${Math.round(value)} MB`;

/** The Streaming scenario's lines: idle stream memory, every change delivered once, and the import's speed-up. */
export function evaluateStreamingBudget(streaming: StreamingResult): BudgetLine[] {
  const { idle, latency, imports } = streaming;
  const first = idle.points[0];
  const last = idle.points[idle.points.length - 1];
  const unsettled = idle.points.filter((p) => !p.settled).length;
  const allRows = imports.createUser.rowsWritten === imports.createUser.users && imports.importUsers.rowsWritten === imports.importUsers.users;
  return [
    {
      name: `order-service RSS per 1,000 idle WatchOrders streams <= ${BUDGET.idleStreamMbPer1000} MB`,
      pass: idle.mbPer1000 <= BUDGET.idleStreamMbPer1000,
      detail:
        `${(Math.ceil(idle.mbPer1000 * 100 - EPSILON) / 100).toFixed(2)} MB (${first?.streams ?? '–'} → ${last?.streams ?? '–'} streams: ${mb(first?.rssMb ?? NaN)} → ${mb(last?.rssMb ?? NaN)})` +
        (unsettled > 0 ? `; ${unsettled} reading(s) had not settled` : ''),
    },
    ...latency.map((run) => {
      const d = run.deliveries;
      const faults = d.missing + d.duplicates + d.unexpected + run.outOfOrder + run.endedStreams + run.failedWrites;
      return {
        name: `WatchOrders at ${run.ratePerS} changes/s delivers every change to every watcher of its user, once and in order`,
        pass: faults === 0 && d.expected > 0,
        detail:
          `${d.delivered} of ${d.expected} delivered, ${d.duplicates} duplicates, ${d.unexpected} unexpected, ${run.outOfOrder} out of order, ` +
          `${run.endedStreams} streams ended, ${run.failedWrites} failed writes`,
      };
    }),
    {
      name: `ImportUsers rows/s >= ${BUDGET.importOverCreateUser}x CreateUser at c=${imports.createUser.concurrency}`,
      pass: imports.ratio >= BUDGET.importOverCreateUser && allRows,
      detail:
        `${atLeast(imports.ratio)} (${Math.round(imports.importUsers.rowsPerS)} vs ${Math.round(imports.createUser.rowsPerS)} rows/s, ${imports.importUsers.users} users each)` +
        (allRows ? '' : `; rows written ${imports.importUsers.rowsWritten} / ${imports.createUser.rowsWritten}, not all users`),
    },
  ];
}

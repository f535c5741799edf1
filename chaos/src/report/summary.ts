import { percentile } from '@acme/testing';
import type { CheckResult } from '../check/invariants';
import type { RequestRecord } from '../history/records';
import { FAULT_KINDS, type FaultKind } from '../plan/fault-schedule';

export interface FaultKindRow {
  readonly kind: FaultKind;
  readonly injected: number;
  readonly affected: number;
  /** Over the faults of this kind whose path recovered. */
  readonly recoveryP50Ms?: number;
  readonly recoveryMaxMs?: number;
}

export interface Totals {
  readonly requests: number;
  /** Count by HTTP status ("0": no answer), by request kind and over all. */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly byKind: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export function faultTable(result: CheckResult): FaultKindRow[] {
  return FAULT_KINDS.map((kind) => {
    const outcomes = result.faults.filter((o) => o.fault.kind === kind);
    const recoveries = outcomes.flatMap((o) => (o.recoveryMs === undefined ? [] : [o.recoveryMs])).sort((a, b) => a - b);
    return {
      kind,
      injected: outcomes.length,
      affected: outcomes.reduce((sum, o) => sum + o.affected, 0),
      ...(recoveries.length > 0 ? { recoveryP50Ms: percentile(recoveries, 50), recoveryMaxMs: recoveries[recoveries.length - 1] as number } : {}),
    };
  });
}

export function totals(requests: readonly RequestRecord[]): Totals {
  const byStatus: Record<string, number> = {};
  const byKind: Record<string, Record<string, number>> = {};
  for (const r of requests) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const kind = (byKind[r.kind] ??= {});
    kind[r.status] = (kind[r.status] ?? 0) + 1;
  }
  return { requests: requests.length, byStatus, byKind };
}

/** Requests answered and failed (5xx or no answer) per whole second from `originMs`. */
export function perSecond(requests: readonly RequestRecord[], originMs: number, seconds: number): { answered: number; failed: number }[] {
  const buckets = Array.from({ length: seconds }, () => ({ answered: 0, failed: 0 }));
  for (const r of requests) {
    const bucket = buckets[Math.floor((r.endMs - originMs) / 1_000)];
    if (!bucket) continue;
    bucket.answered++;
    if (r.status >= 500 || r.status === 0) bucket.failed++;
  }
  return buckets;
}

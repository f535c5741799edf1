import type { Prng } from './prng';

/** The services that run as two replicas each (the ones a fault may kill). */
export const REPLICATED_APPS = ['user-service', 'order-service'] as const;
export type ReplicatedApp = (typeof REPLICATED_APPS)[number];
export const REPLICAS_PER_APP = 2;
/** Gateways in front of the services; the clients use either, so one may be killed. */
export const GATEWAYS = 2;

export type FaultKind = 'sigkill' | 'sigterm' | 'database-cut' | 'user-latency' | 'broker-cut' | 'sigstop' | 'broker-restart' | 'gateway-kill';
export const FAULT_KINDS: readonly FaultKind[] = ['sigkill', 'sigterm', 'database-cut', 'user-latency', 'broker-cut', 'sigstop', 'broker-restart', 'gateway-kill'];

/** The app whose replicas a stall freezes: order-service consumes events, so a frozen consumer holds unacknowledged messages. */
export const STALLED_APP: ReplicatedApp = 'order-service';

/** What a fault acts on; two faults of one target never overlap. */
export type FaultTarget =
  | { readonly kind: 'replica'; readonly app: ReplicatedApp; readonly replica: number }
  | { readonly kind: 'database'; readonly app: ReplicatedApp }
  | { readonly kind: 'user-service path' }
  | { readonly kind: 'broker' }
  | { readonly kind: 'gateway'; readonly gateway: number };

export interface PlannedFault {
  readonly id: number;
  readonly kind: FaultKind;
  readonly target: FaultTarget;
  /** From the start of the workload. For a kill: the signal; the end is when the restart begins (a stall: SIGCONT). */
  readonly startMs: number;
  readonly endMs: number;
  /** user-latency: added to every chunk on the way to user-service (and back). */
  readonly latencyMs?: number;
  /** gateway-kill: how the gateway is stopped. */
  readonly signal?: GatewaySignal;
}

export type GatewaySignal = 'SIGKILL' | 'SIGTERM';
export const GATEWAY_SIGNALS: readonly GatewaySignal[] = ['SIGKILL', 'SIGTERM'];

export interface ScheduleOptions {
  /** Faults start at or after this (the warm-up runs fault-free)... */
  readonly fromMs: number;
  /** ...and end by this (what follows is the settle phase). */
  readonly untilMs: number;
  readonly maxFaults: number;
  /** At most this many faults at once, so some of the system always serves. */
  readonly maxConcurrent: number;
}

/** How long each kind lasts, in ms (a kill: how long the replica stays down before it is restarted). */
export const FAULT_DURATION_MS: Readonly<Record<FaultKind, readonly [number, number]>> = {
  sigkill: [1_000, 4_000],
  sigterm: [1_000, 4_000],
  'database-cut': [1_500, 5_000],
  'user-latency': [2_000, 6_000],
  'broker-cut': [2_000, 6_000],
  // A few seconds: well under AMQP's heartbeat timeout, so the broker keeps the frozen consumer's messages for it.
  sigstop: [2_000, 5_000],
  // From the broker closing the vhost's connections to its accepting them again.
  'broker-restart': [2_000, 6_000],
  'gateway-kill': [1_000, 4_000],
};

/** Added latency: one value under the callers' deadlines, one beyond them. */
export const USER_LATENCIES_MS = [200, 2_500] as const;

/** After a fault of a target ends, that target is left alone this long (a restarted replica needs time to be ready). */
export const SAME_TARGET_GAP_MS = 3_000;

export const targetKey = (target: FaultTarget): string => {
  switch (target.kind) {
    case 'replica':
      return `${target.app}#${target.replica}`;
    case 'database':
      return `${target.app} database`;
    case 'gateway':
      return `gateway#${target.gateway}`;
    default:
      return target.kind;
  }
};

/**
 * Faults with one key never overlap (planned, and run one after the other):
 * a target's own, but one for both gateways, so that one always answers (seen
 * without it: both down at once while slow restarts overran their plan).
 */
export const exclusionKey = (target: FaultTarget): string => (target.kind === 'gateway' ? 'gateways' : targetKey(target));

function targetsOf(kind: FaultKind): FaultTarget[] {
  switch (kind) {
    case 'sigkill':
    case 'sigterm':
      return REPLICATED_APPS.flatMap((app) => Array.from({ length: REPLICAS_PER_APP }, (_, replica) => ({ kind: 'replica' as const, app, replica })));
    case 'database-cut':
      return REPLICATED_APPS.map((app) => ({ kind: 'database' as const, app }));
    case 'user-latency':
      return [{ kind: 'user-service path' }];
    case 'broker-cut':
      return [{ kind: 'broker' }];
    case 'sigstop':
      return Array.from({ length: REPLICAS_PER_APP }, (_, replica) => ({ kind: 'replica' as const, app: STALLED_APP, replica }));
    case 'broker-restart':
      return [{ kind: 'broker' }];
    case 'gateway-kill':
      return Array.from({ length: GATEWAYS }, (_, gateway) => ({ kind: 'gateway' as const, gateway }));
  }
}

const overlaps = (a: { startMs: number; endMs: number }, b: { startMs: number; endMs: number }, gapMs = 0) =>
  a.startMs < b.endMs + gapMs && b.startMs < a.endMs + gapMs;

/** The most faults active at one instant. */
export function peakConcurrency(faults: readonly { startMs: number; endMs: number }[]): number {
  const edges = faults.flatMap((f) => [
    { at: f.startMs, delta: 1 },
    { at: f.endMs, delta: -1 },
  ]);
  // An end and a start at the same instant do not overlap: ends first.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let active = 0;
  let peak = 0;
  for (const edge of edges) peak = Math.max(peak, (active += edge.delta));
  return peak;
}

/**
 * The run's faults, drawn from `prng`: at most `maxFaults`, each within
 * [fromMs, untilMs], none overlapping another of the same target (nor
 * closer than SAME_TARGET_GAP_MS to it), at most `maxConcurrent` at once.
 * The first ones go through every kind in a shuffled order, so a run long
 * enough for FAULT_KINDS.length faults has each kind at least once. Draws
 * that do not fit are retried a bounded number of times, then given up.
 */
export function faultSchedule(prng: Prng, options: ScheduleOptions): PlannedFault[] {
  const { fromMs, untilMs, maxFaults, maxConcurrent } = options;
  const kinds = [...FAULT_KINDS];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j] as FaultKind, kinds[i] as FaultKind];
  }
  const planned: Omit<PlannedFault, 'id'>[] = [];
  for (let attempt = 0; attempt < maxFaults * 20 && planned.length < maxFaults; attempt++) {
    const kind = kinds[planned.length] ?? prng.pick(FAULT_KINDS);
    const [shortest, longest] = FAULT_DURATION_MS[kind];
    const durationMs = prng.int(shortest, longest);
    if (untilMs - fromMs < durationMs) continue;
    const startMs = prng.int(fromMs, untilMs - durationMs);
    const fault = {
      kind,
      target: prng.pick(targetsOf(kind)),
      startMs,
      endMs: startMs + durationMs,
      ...(kind === 'user-latency' ? { latencyMs: prng.pick(USER_LATENCIES_MS) } : {}),
      ...(kind === 'gateway-kill' ? { signal: prng.pick(GATEWAY_SIGNALS) } : {}),
    };
    const sameTarget = planned.filter((other) => exclusionKey(other.target) === exclusionKey(fault.target));
    if (sameTarget.some((other) => overlaps(other, fault, SAME_TARGET_GAP_MS))) continue;
    if (peakConcurrency([...planned, fault]) > maxConcurrent) continue;
    planned.push(fault);
  }
  return planned.sort((a, b) => a.startMs - b.startMs).map((fault, id) => ({ id, ...fault }));
}

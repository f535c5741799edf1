import type { FaultRecord, PoisonRecord, RequestKind, RequestRecord, SettledState } from '../history/records';
import type { MemoryBounds, MemorySeries } from '../memory/memory-growth';
import { targetKey } from '../plan/fault-schedule';
import { FAULT_STATUSES, faultGateway, faultPath, onPath } from './fault-paths';

export interface Bounds {
  /** After a fault ends its path must succeed again within this, and errors it caused must stop by then. */
  readonly recoveryMs: number;
  /** Resident memory of each life of each long-lived process (see memorySeries). */
  readonly memory: MemoryBounds;
}

/**
 * Recovery: the slowest seen in a 10-minute run here was 3.1 s (a broker cut).
 * Memory: the medians of thirds moved 0.74-1.13x in 90 s runs here (a
 * gateway's heap still grows in its first minutes); 1.5x leaves room for
 * that and still catches a process that keeps growing.
 */
export const DEFAULT_BOUNDS: Bounds = { recoveryMs: 5_000, memory: { growthFactor: 1.5, warmUpMs: 10_000, minSpanMs: 30_000, minSamples: 9 } };

/** Memory as the checker sees it: each process life's figures, and the processes not running when the workload ended. */
export interface MemoryState {
  readonly series: readonly MemorySeries[];
  readonly notRunning: readonly string[];
}

export interface Violation {
  readonly invariant: string;
  readonly detail: string;
}

export interface FaultOutcome {
  readonly fault: FaultRecord;
  /** From the fault's end to the end of the next successful request of its path; undefined: none succeeded. */
  readonly recoveryMs?: number;
  /** Requests answered with a fault status while it was active or recovering. */
  readonly affected: number;
}

export interface CheckResult {
  readonly violations: readonly Violation[];
  readonly faults: readonly FaultOutcome[];
}

const ok = (status: number) => status >= 200 && status < 300;
const ORDER_KINDS: readonly RequestKind[] = ['create-order', 'retry-order', 'order-deleted-user'];
const orderKey = (userId: string | undefined, key: string | undefined) => `${userId}/${key}`;

/** The window in which a fault explains an error: from its start until the recovery bound after its end. */
const explains = (fault: FaultRecord, request: RequestRecord, bounds: Bounds) => request.startMs < fault.endMs + bounds.recoveryMs && request.endMs > fault.startMs;

/**
 * Checks the history of one soak against the invariants of issue 14. Pure:
 * the requests, the faults as injected, the messages poisoned on purpose,
 * what the databases and the broker hold after the system settled, and the
 * memory readings.
 */
export function checkHistory(
  requests: readonly RequestRecord[],
  faults: readonly FaultRecord[],
  poisoned: readonly PoisonRecord[],
  settled: SettledState,
  memory: MemoryState,
  bounds: Bounds = DEFAULT_BOUNDS,
): CheckResult {
  const violations: Violation[] = [];
  const violation = (invariant: string, detail: string) => violations.push({ invariant, detail });
  const byStart = [...requests].sort((a, b) => a.startMs - b.startMs);
  const describe = (r: RequestRecord) => `${r.kind} ${r.userId ?? ''}${r.orderId ? ` order ${r.orderId}` : ''}${r.idempotencyKey ? ` key ${r.idempotencyKey}` : ''} at ${r.startMs}: ${r.status}${r.detail ? ` (${r.detail})` : ''}`;

  // When each user's deletion was first asked, and first acknowledged (2xx, or 404 after an unanswered attempt).
  const deletionAsked = new Map<string, number>();
  const deletionAcked = new Map<string, number>();
  for (const r of byStart) {
    if (r.kind !== 'delete-user' || !r.userId) continue;
    if (!deletionAsked.has(r.userId)) deletionAsked.set(r.userId, r.startMs);
    if ((ok(r.status) || r.status === 404) && !deletionAcked.has(r.userId)) deletionAcked.set(r.userId, r.endMs);
  }
  const deletionAskedBefore = (r: RequestRecord) => r.userId !== undefined && (deletionAsked.get(r.userId) ?? Infinity) < r.startMs;
  const earlierFailed = (r: RequestRecord, same: (other: RequestRecord) => boolean) => byStart.some((o) => o.startMs < r.startMs && same(o) && !ok(o.status));

  // Statuses: what each kind may answer besides 2xx and the fault statuses.
  const expected4xx: Record<RequestKind, (r: RequestRecord) => boolean> = {
    'create-user': () => false,
    'create-order': (r) => r.status === 422 && deletionAskedBefore(r),
    'retry-order': (r) => r.status === 422 && deletionAskedBefore(r),
    'order-deleted-user': (r) => r.status === 422,
    'cancel-order': (r) => r.status === 422 && (deletionAskedBefore(r) || earlierFailed(r, (o) => o.kind === 'cancel-order' && o.orderId === r.orderId)),
    'delete-user': (r) => r.status === 404 && earlierFailed(r, (o) => o.kind === 'delete-user' && o.userId === r.userId),
    'list-orders': () => false,
  };
  for (const r of byStart) {
    // Only a gateway that is down may leave a request unanswered (the client goes to the other one next).
    if (r.status === 0 && !faults.some((fault) => faultGateway(fault) === r.gateway && explains(fault, r, bounds))) violation('every request is answered', describe(r));
    else if (r.status >= 400 && !r.problem) violation('every error is a problem document', describe(r));
    if (r.status >= 500 && !FAULT_STATUSES.includes(r.status)) violation('no 500 (only 503/504/429 under faults)', describe(r));
    else if (FAULT_STATUSES.includes(r.status)) {
      if (!faults.some((fault) => explains(fault, r, bounds))) violation('errors only while a fault is active or recovering', describe(r));
    } else if (r.status >= 400 && !expected4xx[r.kind](r)) violation('no unexpected 4xx', describe(r));
    if (r.kind === 'order-deleted-user' && ok(r.status)) violation('no order for a user after its deletion was acknowledged', describe(r));
    if (r.kind === 'create-order' && ok(r.status) && r.userId && (deletionAcked.get(r.userId) ?? Infinity) < r.startMs) {
      violation('no order for a user after its deletion was acknowledged', describe(r));
    }
  }

  // Orders: each acknowledged one exists once; a key always names the same order.
  const acked = new Map<string, Set<string>>();
  const firstSent = new Map<string, number>();
  for (const r of byStart) {
    if (!ORDER_KINDS.includes(r.kind)) continue;
    const key = orderKey(r.userId, r.idempotencyKey);
    if (!firstSent.has(key)) firstSent.set(key, r.startMs);
    if (ok(r.status) && r.orderId) acked.set(key, (acked.get(key) ?? new Set()).add(r.orderId));
  }
  const rows = new Map<string, SettledState['orders'][number][]>();
  for (const row of settled.orders) {
    const key = orderKey(row.userId, row.idempotencyKey);
    rows.set(key, [...(rows.get(key) ?? []), row]);
  }
  for (const [key, ids] of acked) {
    if (ids.size > 1) violation('an idempotent retry returns the same order', `${key}: answered ${[...ids].join(', ')}`);
    const stored = rows.get(key) ?? [];
    for (const id of ids) if (!stored.some((row) => row.id === id)) violation('every acknowledged order exists', `${key}: order ${id} is not in order-service's database`);
  }
  for (const [key, stored] of rows) {
    if (stored.length > 1) violation('no two orders share (user_id, idempotency_key)', `${key}: ${stored.map((row) => row.id).join(', ')}`);
    const sent = firstSent.get(key);
    if (sent === undefined) violation('every order was asked for', `${key}: order ${stored[0]?.id} was never requested`);
    const userId = stored[0]?.userId as string;
    if (sent !== undefined && (deletionAcked.get(userId) ?? Infinity) < sent) {
      violation('no order for a user after its deletion was acknowledged', `${key}: order ${stored[0]?.id} first asked at ${sent}, after the deletion at ${deletionAcked.get(userId)}`);
    }
  }

  // Deletions reached order-service, which cancelled the users' orders.
  const applied = new Set(settled.deletedUsers);
  for (const userId of deletionAcked.keys()) {
    if (!applied.has(userId)) violation('every deletion is applied by order-service', `user ${userId}: not in deleted_users`);
    for (const row of settled.orders) {
      if (row.userId === userId && row.status !== 'CANCELLED') violation("a deleted user's orders are cancelled", `user ${userId}: order ${row.id} is ${row.status}`);
    }
  }
  for (const [service, pending] of Object.entries(settled.pendingOutbox)) {
    if (pending > 0) violation('the outbox drained', `${service}: ${pending} events not published`);
  }
  for (const event of settled.userDeletedEvents) {
    if (event.inboxRows !== 1) violation('every event is applied exactly once', `UserDeleted ${event.eventId}: ${event.inboxRows} inbox rows`);
  }
  // The dead-letter queues hold exactly the messages the run poisoned, each once: a poisoned one missing was
  // accepted or lost, any other one is an event the system could not process.
  for (const poison of poisoned) if (poison.error) violation('every poisoned message is published', `${poison.messageId}: ${poison.error}`);
  const expectedDead = new Set(poisoned.filter((p) => !p.error).map((p) => p.messageId));
  const deadCopies = new Map<string, number>();
  for (const [queue, ids] of Object.entries(settled.deadLettered)) {
    for (const id of ids) {
      deadCopies.set(id, (deadCopies.get(id) ?? 0) + 1);
      if (!expectedDead.has(id) && !poisoned.some((p) => p.messageId === id)) violation('the DLQ holds exactly the poisoned messages', `${queue}: ${id} was not poisoned`);
    }
  }
  for (const id of expectedDead) {
    const copies = deadCopies.get(id) ?? 0;
    if (copies !== 1) violation('the DLQ holds exactly the poisoned messages', `poisoned ${id}: ${copies} copies in the dead-letter queues`);
  }

  // Faults: injected and undone, and their path recovered in time.
  const outcomes = faults.map((fault): FaultOutcome => {
    if (fault.error) violation('every fault is injected and undone', `fault ${fault.id} (${fault.kind} of ${targetKey(fault.target)}): ${fault.error}`);
    const path = faultPath(fault);
    const gateway = faultGateway(fault);
    // Timed from when the path is clear: a fault that overlaps this one on a shared path can outlast it (seen: a broker
    // cut ending while 2.5 s of added latency stayed on the same writes), and the path cannot recover before that ends.
    // A gateway's path is the gateway answering: from its own end, whatever else is down behind it.
    const clearAt = gateway !== undefined ? fault.endMs : faults
      .filter(
        (other) =>
          other.startMs < fault.endMs &&
          other.endMs > fault.startMs &&
          faultPath(other).some((kind) => path.includes(kind)) &&
          faultGateway(other) === undefined,
      )
      .reduce((end, other) => Math.max(end, other.endMs), fault.endMs);
    const next = byStart.find((r) => r.startMs >= clearAt && onPath(fault, r) && (gateway === undefined ? ok(r.status) : r.status !== 0));
    const recoveryMs = next ? next.endMs - clearAt : undefined;
    if (recoveryMs === undefined || recoveryMs > bounds.recoveryMs) {
      violation('each fault is recovered from within the bound', `fault ${fault.id} (${fault.kind} of ${targetKey(fault.target)}): ${recoveryMs === undefined ? 'no success after it' : `${recoveryMs} ms`}`);
    }
    const affected = requests.filter((r) => FAULT_STATUSES.includes(r.status) && explains(fault, r, bounds)).length;
    return { fault, affected, ...(recoveryMs === undefined ? {} : { recoveryMs }) };
  });

  for (const name of memory.notRunning) violation('every process runs at the end', `${name} is not running`);
  for (const life of memory.series) {
    if (life.growth !== undefined && life.growth > bounds.memory.growthFactor) {
      violation(
        `resident memory grows at most ${bounds.memory.growthFactor}x`,
        `${life.process} (pid ${life.pid}): median ${life.firstMb?.toFixed(0)} MB in the first third, ${life.lastMb?.toFixed(0)} MB in the last (${life.growth.toFixed(2)}x; peak ${life.peakMb.toFixed(0)} MB)`,
      );
    }
  }
  return { violations, faults: outcomes };
}

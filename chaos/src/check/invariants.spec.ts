import type { FaultRecord, PoisonRecord, RequestRecord, SettledState } from '../history/records';
import { checkHistory, DEFAULT_BOUNDS, type MemoryState } from './invariants';

// Small hand-made histories: one that keeps every promise, and variants that
// each break one.
const U = 'u-1';
const req = (over: Partial<RequestRecord> & Pick<RequestRecord, 'kind' | 'startMs'>): RequestRecord => ({
  client: 0,
  gateway: 0,
  endMs: over.startMs + 10,
  status: 200,
  ...over,
});
const KILL: FaultRecord = { id: 0, kind: 'sigkill', target: { kind: 'replica', app: 'order-service', replica: 1 }, startMs: 1_000, endMs: 2_000 };

const DLQ = 'order-service.user-events.dlq';
const POISON: PoisonRecord = { messageId: 'p-1', type: 'acme.user.v1.UserDeleted', routingKey: 'user.v1.deleted', startMs: 1_500, endMs: 1_510 };

const CLEAN: readonly RequestRecord[] = [
  req({ kind: 'create-user', startMs: 0, status: 201, userId: U }),
  req({ kind: 'create-order', startMs: 100, userId: U, idempotencyKey: 'k1', orderId: 'o1' }),
  // Under the fault: no answer for k2, then its retry gets the order the first attempt may have written.
  req({ kind: 'create-order', startMs: 1_100, userId: U, idempotencyKey: 'k2', status: 503, problem: true }),
  req({ kind: 'retry-order', startMs: 2_100, userId: U, idempotencyKey: 'k2', orderId: 'o2' }),
  req({ kind: 'retry-order', startMs: 2_200, userId: U, idempotencyKey: 'k1', orderId: 'o1' }),
  req({ kind: 'delete-user', startMs: 3_000, userId: U }),
  req({ kind: 'order-deleted-user', startMs: 3_100, userId: U, idempotencyKey: 'k3', status: 422, problem: true }),
  req({ kind: 'retry-order', startMs: 3_200, userId: U, idempotencyKey: 'k1', orderId: 'o1' }),
];
const SETTLED: SettledState = {
  orders: [
    { id: 'o1', userId: U, idempotencyKey: 'k1', status: 'CANCELLED', createMs: 105 },
    { id: 'o2', userId: U, idempotencyKey: 'k2', status: 'CANCELLED', createMs: 1_105 },
  ],
  deletedUsers: [U],
  pendingOutbox: { 'user-service': 0, 'order-service': 0 },
  userDeletedEvents: [{ eventId: 'e1', inboxRows: 1 }],
  deadLettered: { [DLQ]: [POISON.messageId] },
};
const life = { process: 'api-gateway', pid: 7, fromMs: 0, untilMs: 90_000, samples: 45, peakMb: 130 };
const MEMORY: MemoryState = {
  series: [
    { ...life, firstMb: 100, lastMb: 120, growth: 1.2 },
    // A restarted replica's short life: listed, not compared.
    { ...life, process: 'order-service', pid: 8, fromMs: 80_000, samples: 5 },
  ],
  notRunning: [],
};

const replace = (index: number, over: Partial<RequestRecord>) => CLEAN.map((r, i) => (i === index ? { ...r, ...over } : r));

describe('checkHistory', () => {
  it('finds nothing wrong with a history that keeps every promise, and times the recovery', () => {
    const result = checkHistory(CLEAN, [KILL], [POISON], SETTLED, MEMORY);
    expect(result.violations).toEqual([]);
    // The fault ended at 2,000; the next success on its path (the retry at 2,100) ended at 2,110.
    expect(result.faults).toEqual([{ fault: KILL, recoveryMs: 110, affected: 1 }]);
  });

  it('times a recovery from the end of the overlapping fault that outlasts it on the same path', () => {
    const cut: FaultRecord = { id: 1, kind: 'broker-cut', target: { kind: 'broker' }, startMs: 1_000, endMs: 2_000 };
    const slow: FaultRecord = { id: 2, kind: 'user-latency', target: { kind: 'user-service path' }, startMs: 1_500, endMs: 8_000 };
    const requests = [
      ...CLEAN.filter((r) => r.startMs < 1_000),
      req({ kind: 'create-order', startMs: 1_100, userId: U, idempotencyKey: 'k2', status: 504, problem: true }),
      req({ kind: 'retry-order', startMs: 8_100, userId: U, idempotencyKey: 'k2', orderId: 'o2' }),
      ...CLEAN.filter((r) => r.startMs >= 3_000).map((r) => ({ ...r, startMs: r.startMs + 6_000, endMs: r.endMs + 6_000 })),
    ];
    const result = checkHistory(requests, [cut, slow], [POISON], SETTLED, MEMORY);
    // Both paths clear at 8,000; the next success on them, the deletion at 9,000, ends at 9,010: 1,010 ms later, though
    // 7,010 ms after the cut's own end (over the bound, which is what the check said before).
    expect(result.faults.map((f) => f.recoveryMs)).toEqual([1_010, 1_010]);
    expect(result.violations.filter((v) => v.invariant.includes('recovered'))).toEqual([]);
  });

  it("allows a gateway that is down to leave requests unanswered, and times its recovery through it", () => {
    const down: FaultRecord = { id: 1, kind: 'gateway-kill', target: { kind: 'gateway', gateway: 1 }, signal: 'SIGKILL', startMs: 1_000, endMs: 2_000 };
    const requests = [
      ...CLEAN.slice(0, 2),
      req({ kind: 'list-orders', startMs: 1_050, gateway: 1, status: 0, detail: 'TypeError: fetch failed' }),
      // Through the other gateway meanwhile, and after the restart: the first success through gateway 1 ends at 2,310.
      req({ kind: 'create-order', startMs: 1_100, userId: U, idempotencyKey: 'k2', orderId: 'o2' }),
      req({ kind: 'list-orders', startMs: 2_100, gateway: 0 }),
      req({ kind: 'list-orders', startMs: 2_300, gateway: 1 }),
      ...CLEAN.slice(5),
    ];
    const result = checkHistory(requests, [down], [POISON], SETTLED, MEMORY);
    expect(result.violations).toEqual([]);
    expect(result.faults.map((f) => f.recoveryMs)).toEqual([310]);
    // The same unanswered request through the gateway that was up is a violation.
    const other = requests.map((r) => (r.status === 0 ? { ...r, gateway: 0 } : r));
    expect(checkHistory(other, [down], [POISON], SETTLED, MEMORY).violations.map((v) => v.invariant)).toEqual(['every request is answered']);
  });

  type Case = [string, { requests?: readonly RequestRecord[]; faults?: readonly FaultRecord[]; poisoned?: readonly PoisonRecord[]; settled?: Partial<SettledState>; memory?: MemoryState }];
  it.each<Case>([
    ['every acknowledged order exists', { settled: { orders: SETTLED.orders.slice(1) } }],
    ['an idempotent retry returns the same order', { requests: replace(4, { orderId: 'o9' }) }],
    [
      'no two orders share (user_id, idempotency_key)',
      { settled: { orders: [...SETTLED.orders, { id: 'o3', userId: U, idempotencyKey: 'k1', status: 'CANCELLED', createMs: 150 }] } },
    ],
    ['every order was asked for', { settled: { orders: [...SETTLED.orders, { id: 'o4', userId: U, idempotencyKey: 'nobody', status: 'CANCELLED', createMs: 150 }] } }],
    ['no order for a user after its deletion was acknowledged', { requests: replace(6, { status: 201, orderId: 'o5', problem: undefined }) }],
    ["a deleted user's orders are cancelled", { settled: { orders: [{ ...(SETTLED.orders[0] as SettledState['orders'][number]), status: 'CREATED' }, SETTLED.orders[1] as SettledState['orders'][number]] } }],
    ['every deletion is applied by order-service', { settled: { deletedUsers: [] } }],
    ['the outbox drained', { settled: { pendingOutbox: { 'user-service': 2, 'order-service': 0 } } }],
    ['every event is applied exactly once', { settled: { userDeletedEvents: [{ eventId: 'e1', inboxRows: 0 }] } }],
    // A dead letter the run did not poison: an event the system could not process.
    ['the DLQ holds exactly the poisoned messages', { settled: { deadLettered: { [DLQ]: [POISON.messageId, 'e1'] } } }],
    // The poisoned message is not there: the consumer accepted it, or it was lost.
    ['the DLQ holds exactly the poisoned messages', { settled: { deadLettered: { [DLQ]: [] } } }],
    ['the DLQ holds exactly the poisoned messages', { settled: { deadLettered: { [DLQ]: [POISON.messageId, POISON.messageId] } } }],
    // Dead letters with nothing poisoned.
    ['the DLQ holds exactly the poisoned messages', { poisoned: [] }],
    ['every poisoned message is published', { poisoned: [{ ...POISON, error: 'Error: channel closed' }], settled: { deadLettered: { [DLQ]: [] } } }],
    ['no 500 (only 503/504/429 under faults)', { requests: replace(2, { status: 500 }) }],
    ['every error is a problem document', { requests: replace(2, { problem: false }) }],
    ['every request is answered', { requests: replace(2, { status: 0, problem: undefined, detail: 'ECONNRESET' }) }],
    ['errors only while a fault is active or recovering', { requests: [...CLEAN, req({ kind: 'list-orders', startMs: 2_000 + DEFAULT_BOUNDS.recoveryMs + 1, status: 503, problem: true })] }],
    ['no unexpected 4xx', { requests: replace(1, { status: 422, problem: true, orderId: undefined }) }],
    ['no unexpected 4xx', { requests: [...CLEAN, req({ kind: 'delete-user', startMs: 4_000, userId: 'u-2', status: 404, problem: true })] }],
    ['each fault is recovered from within the bound', { requests: CLEAN.filter((r) => r.startMs < 2_000 || r.startMs > 2_000 + DEFAULT_BOUNDS.recoveryMs) }],
    ['every fault is injected and undone', { faults: [{ ...KILL, error: 'undoing: order-service did not become ready' }] }],
    ['every process runs at the end', { memory: { ...MEMORY, notRunning: ['order-service@127.0.0.1:5000'] } }],
    [
      `resident memory grows at most ${DEFAULT_BOUNDS.memory.growthFactor}x`,
      { memory: { ...MEMORY, series: [{ ...life, firstMb: 100, lastMb: 100 * DEFAULT_BOUNDS.memory.growthFactor + 1, growth: DEFAULT_BOUNDS.memory.growthFactor + 0.01 }] } },
    ],
  ])('finds "%s" broken', (invariant, change) => {
    const { violations } = checkHistory(change.requests ?? CLEAN, change.faults ?? [KILL], change.poisoned ?? [POISON], { ...SETTLED, ...change.settled }, change.memory ?? MEMORY);
    expect(violations.map((v) => v.invariant)).toContain(invariant);
    // Each variant breaks what it says, and (but for the missing order) nothing else.
    expect(new Set(violations.map((v) => v.invariant)).size).toBeLessThanOrEqual(invariant === 'every acknowledged order exists' ? 1 : 2);
  });

  it('accepts a 404 for a deletion asked again after an unanswered attempt, and a 422 for a cancel repeated after a 504', () => {
    const requests: RequestRecord[] = [
      ...CLEAN.slice(0, 5),
      req({ kind: 'cancel-order', startMs: 2_300, orderId: 'o2', userId: U, status: 504, problem: true }),
      req({ kind: 'cancel-order', startMs: 2_400, orderId: 'o2', userId: U, status: 422, problem: true }),
      req({ kind: 'delete-user', startMs: 2_500, userId: U, status: 503, problem: true }),
      req({ kind: 'delete-user', startMs: 2_600, userId: U, status: 404, problem: true }),
    ];
    expect(checkHistory(requests, [KILL], [POISON], SETTLED, MEMORY).violations).toEqual([]);
  });

  it.each<[string, readonly PoisonRecord[], readonly string[]]>([
    ['nothing poisoned, nothing dead-lettered', [], []],
    ['two poisoned, both dead-lettered', [POISON, { ...POISON, messageId: 'p-2' }], ['p-2', POISON.messageId]],
    // Unconfirmed: the broker may or may not have enqueued it (that is reported as its own violation).
    ['an unconfirmed poison dead-lettered after all', [{ ...POISON, error: 'Error: timeout' }], [POISON.messageId]],
  ])('accepts the DLQ holding exactly the poisoned messages: %s', (_, poisoned, dead) => {
    const { violations } = checkHistory(CLEAN, [KILL], poisoned, { ...SETTLED, deadLettered: { [DLQ]: dead } }, MEMORY);
    expect(violations.filter((v) => v.invariant === 'the DLQ holds exactly the poisoned messages')).toEqual([]);
  });
});

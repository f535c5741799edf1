import { summarizeLatencies, type LatencySummary } from '@acme/testing';

export type ChangeKind = 'CREATED' | 'CANCELLED';

/** A change the writer made (a CreateOrder or CancelOrder that returned OK), with monotonic µs (clock.ts). */
export interface WrittenChange {
  readonly orderId: string;
  readonly kind: ChangeKind;
  readonly userId: string;
  readonly sentUs: number;
  readonly returnedUs: number;
}

/** An update a watcher received: the order, what happened to it, the watcher's index, when (monotonic µs). */
export type Delivery = readonly [orderId: string, kind: ChangeKind, watcher: number, receivedUs: number];

export interface DeliveryReport {
  /** Every change, once per watcher of its user. */
  readonly expected: number;
  readonly delivered: number;
  readonly missing: number;
  /** The same change received again by the same watcher. */
  readonly duplicates: number;
  /** Updates no change of the run accounts for (or sent to a watcher of another user). */
  readonly unexpected: number;
  /** Received − write returned, and received − write sent (µs), over the first delivery of each change to each watcher. */
  readonly fromReturnedUs?: LatencySummary;
  readonly fromSentUs?: LatencySummary;
  /** Deliveries that arrived before the writer had the write's answer (the feed can beat the response back). */
  readonly beforeReturn: number;
}

/**
 * Matches what the watchers received against what the writer changed:
 * watcher i watches `watcherUsers[i]`, so each change is expected once at
 * each watcher of its user.
 */
export function matchDeliveries(changes: readonly WrittenChange[], watcherUsers: readonly string[], deliveries: readonly Delivery[]): DeliveryReport {
  const watchersPerUser = new Map<string, number>();
  for (const user of watcherUsers) watchersPerUser.set(user, (watchersPerUser.get(user) ?? 0) + 1);
  const byKey = new Map(changes.map((change) => [`${change.orderId} ${change.kind}`, change]));
  const expected = changes.reduce((sum, change) => sum + (watchersPerUser.get(change.userId) ?? 0), 0);
  const seen = new Set<string>();
  const fromReturned: number[] = [];
  const fromSent: number[] = [];
  let duplicates = 0;
  let unexpected = 0;
  let beforeReturn = 0;
  for (const [orderId, kind, watcher, receivedUs] of deliveries) {
    const key = `${orderId} ${kind}`;
    const change = byKey.get(key);
    if (!change || watcherUsers[watcher] !== change.userId) {
      unexpected++;
      continue;
    }
    const once = `${key} ${watcher}`;
    if (seen.has(once)) {
      duplicates++;
      continue;
    }
    seen.add(once);
    fromReturned.push(receivedUs - change.returnedUs);
    fromSent.push(receivedUs - change.sentUs);
    if (receivedUs < change.returnedUs) beforeReturn++;
  }
  return {
    expected,
    delivered: seen.size,
    missing: expected - seen.size,
    duplicates,
    unexpected,
    ...(seen.size > 0 ? { fromReturnedUs: summarizeLatencies(fromReturned), fromSentUs: summarizeLatencies(fromSent) } : {}),
    beforeReturn,
  };
}

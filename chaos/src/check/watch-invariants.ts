import type { WatchRecord } from '../watch/order-watcher';
import type { Violation } from './invariants';

/** One row of order-service's order_changes (what WatchOrders streams). */
export interface OrderChangeRow {
  readonly seq: string;
  readonly userId: string;
  readonly orderId: string;
  readonly kind: string;
}

export interface WatchTotals {
  readonly watchers: number;
  readonly connects: number;
  /** Changes the watchers had to receive (each user's changes after its watcher's snapshot), and what they did receive. */
  readonly expected: number;
  readonly received: number;
  readonly duplicates: number;
  readonly missed: number;
  /** A change received after one with a higher seq. */
  readonly outOfOrder: number;
  /** Received but not a change of that user after the snapshot (or with another order or kind than the row). */
  readonly unexpected: number;
}

const bySeq = (a: { seq: string }, b: { seq: string }) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : BigInt(a.seq) > BigInt(b.seq) ? 1 : 0);
const sample = (seqs: readonly string[]) => `${seqs.slice(0, 5).join(', ')}${seqs.length > 5 ? ` and ${seqs.length - 5} more` : ''}`;

/**
 * Each watcher received every change of its user after its snapshot exactly
 * once and in order: against order_changes once the system settled (the
 * rows are the history of every order's changes, written in the
 * transaction that made each).
 */
export function checkWatchers(watchers: readonly WatchRecord[], changes: readonly OrderChangeRow[]): { violations: Violation[]; totals: WatchTotals } {
  const violations: Violation[] = [];
  const totals = { watchers: watchers.length, connects: 0, expected: 0, received: 0, duplicates: 0, missed: 0, outOfOrder: 0, unexpected: 0 };
  for (const watcher of watchers) {
    totals.connects += watcher.connects;
    totals.received += watcher.received.length;
    const name = `watcher ${watcher.id} (${watcher.transport}) of user ${watcher.userId}`;
    if (watcher.fromSeq === undefined) {
      violations.push({ invariant: 'every watcher is accepted', detail: `${name}: no snapshot in ${watcher.connects} connections (${JSON.stringify(watcher.ends)})` });
      continue;
    }
    const from = BigInt(watcher.fromSeq);
    const expected = changes.filter((c) => c.userId === watcher.userId && BigInt(c.seq) > from).sort(bySeq);
    const rows = new Map(expected.map((c) => [c.seq, c]));
    const seen = new Map<string, number>();
    let duplicates = 0;
    let outOfOrder = 0;
    const unexpected: string[] = [];
    watcher.received.forEach((change, i) => {
      const count = (seen.get(change.seq) ?? 0) + 1;
      seen.set(change.seq, count);
      if (count > 1) duplicates++;
      const previous = watcher.received[i - 1];
      if (previous && BigInt(change.seq) < BigInt(previous.seq)) outOfOrder++;
      const row = rows.get(change.seq);
      if (count === 1 && (!row || row.orderId !== change.orderId || row.kind !== change.kind)) unexpected.push(change.seq);
    });
    const missed = expected.filter((c) => !seen.has(c.seq)).map((c) => c.seq);
    totals.expected += expected.length;
    totals.duplicates += duplicates;
    totals.outOfOrder += outOfOrder;
    totals.missed += missed.length;
    totals.unexpected += unexpected.length;
    const wrong = [
      ...(missed.length > 0 ? [`missed ${sample(missed)}`] : []),
      ...(duplicates > 0 ? [`${duplicates} duplicates`] : []),
      ...(outOfOrder > 0 ? [`${outOfOrder} out of order`] : []),
      ...(unexpected.length > 0 ? [`unexpected ${sample(unexpected)}`] : []),
    ];
    if (wrong.length > 0) {
      violations.push({
        invariant: "each watcher receives every change of its user's orders exactly once, in order",
        detail: `${name}, from seq ${watcher.fromSeq}: ${expected.length} expected, ${watcher.received.length} received; ${wrong.join('; ')}`,
      });
    }
  }
  return { violations, totals };
}

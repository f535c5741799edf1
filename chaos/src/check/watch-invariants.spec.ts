import type { WatchRecord } from '../watch/order-watcher';
import { checkWatchers, type OrderChangeRow } from './watch-invariants';

const U = 'u-1';
// u-1's changes 11, 12, 14 (13 is another user's) after its watcher's snapshot at 10; 9 came before the snapshot.
const CHANGES: readonly OrderChangeRow[] = [
  { seq: '9', userId: U, orderId: 'o0', kind: 'CREATED' },
  { seq: '11', userId: U, orderId: 'o1', kind: 'CREATED' },
  { seq: '12', userId: U, orderId: 'o2', kind: 'CREATED' },
  { seq: '13', userId: 'u-2', orderId: 'o3', kind: 'CREATED' },
  { seq: '14', userId: U, orderId: 'o1', kind: 'CANCELLED' },
];
const got = (...seqs: string[]) => seqs.map((seq) => ({ ...(CHANGES.find((c) => c.seq === seq) as OrderChangeRow), kind: CHANGES.find((c) => c.seq === seq)?.kind as 'CREATED' }));
const watcher = (received: WatchRecord['received'], over: Partial<WatchRecord> = {}): WatchRecord => ({ id: 0, transport: 'sse', userId: U, fromSeq: '10', received, connects: 2, ends: {}, ...over });

describe('checkWatchers', () => {
  it("accepts a watcher that received each of its user's changes after its snapshot once, in order", () => {
    const { violations, totals } = checkWatchers([watcher(got('11', '12', '14'))], CHANGES);
    expect(violations).toEqual([]);
    expect(totals).toEqual({ watchers: 1, connects: 2, expected: 3, received: 3, duplicates: 0, missed: 0, outOfOrder: 0, unexpected: 0 });
  });

  it.each<[string, WatchRecord, RegExp, Partial<ReturnType<typeof checkWatchers>['totals']>]>([
    ['a gap', watcher(got('11', '14')), /missed 12/, { missed: 1 }],
    ['a change again (a resume from an older token)', watcher(got('11', '12', '12', '14')), /1 duplicates/, { duplicates: 1 }],
    ['changes out of order', watcher(got('12', '11', '14')), /1 out of order/, { outOfOrder: 1 }],
    ["another user's change", watcher(got('11', '12', '13', '14')), /unexpected 13/, { unexpected: 1 }],
    ['a change from before the snapshot', watcher(got('9', '11', '12', '14')), /unexpected 9/, { unexpected: 1 }],
    ['a change whose kind is not the row', watcher([...got('11', '12'), { seq: '14', orderId: 'o1', kind: 'CREATED' }]), /unexpected 14/, { unexpected: 1 }],
  ])('finds %s', (_, record, detail, counts) => {
    const { violations, totals } = checkWatchers([record], CHANGES);
    expect(violations).toEqual([{ invariant: "each watcher receives every change of its user's orders exactly once, in order", detail: expect.stringMatching(detail) }]);
    expect(totals).toMatchObject(counts);
  });

  it('finds a watcher never accepted', () => {
    const { violations } = checkWatchers([watcher([], { fromSeq: undefined, ends: { 'HTTP 503': 3 } })], CHANGES);
    expect(violations.map((v) => v.invariant)).toEqual(['every watcher is accepted']);
  });
});

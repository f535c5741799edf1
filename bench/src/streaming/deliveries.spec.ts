import { type Delivery, matchDeliveries, type WrittenChange } from './deliveries';

const change = (orderId: string, kind: WrittenChange['kind'], userId: string, sentUs: number, returnedUs: number): WrittenChange => ({ orderId, kind, userId, sentUs, returnedUs });

describe('matchDeliveries', () => {
  // Watchers 0 and 1 watch user a, watcher 2 user b.
  const watchers = ['a', 'a', 'b'];
  const changes = [change('o1', 'CREATED', 'a', 1_000, 1_400), change('o1', 'CANCELLED', 'a', 2_000, 2_300), change('o2', 'CREATED', 'b', 3_000, 3_500)];

  it('expects each change once per watcher of its user, and times each delivery from the write returning and from it being sent', () => {
    const deliveries: Delivery[] = [
      ['o1', 'CREATED', 0, 1_600],
      ['o1', 'CREATED', 1, 1_700],
      ['o1', 'CANCELLED', 0, 2_250], // before the writer had its answer
      ['o1', 'CANCELLED', 1, 2_500],
      ['o2', 'CREATED', 2, 4_500],
    ];
    const report = matchDeliveries(changes, watchers, deliveries);
    expect(report).toMatchObject({ expected: 5, delivered: 5, missing: 0, duplicates: 0, unexpected: 0, beforeReturn: 1 });
    // From returned: 200, 300, -50, 200, 1000; from sent: 600, 700, 250, 500, 1500.
    expect(report.fromReturnedUs).toMatchObject({ count: 5, p50: 200, max: 1_000 });
    expect(report.fromSentUs).toMatchObject({ p50: 600, max: 1_500 });
  });

  it('counts what is missing, repeated, or not the watcher’s apart, and times only first deliveries', () => {
    const deliveries: Delivery[] = [
      ['o1', 'CREATED', 0, 1_600],
      ['o1', 'CREATED', 0, 9_000], // again to the same watcher
      ['o2', 'CREATED', 0, 4_000], // user b's order at a watcher of user a
      ['o9', 'CREATED', 2, 4_000], // no such change
    ];
    const report = matchDeliveries(changes, watchers, deliveries);
    expect(report).toMatchObject({ expected: 5, delivered: 1, missing: 4, duplicates: 1, unexpected: 2 });
    expect(report.fromReturnedUs).toMatchObject({ count: 1, max: 200 });
  });

  it('has no latency figures when nothing arrived', () => {
    expect(matchDeliveries(changes, watchers, [])).toEqual({ expected: 5, delivered: 0, missing: 5, duplicates: 0, unexpected: 0, beforeReturn: 0 });
  });
});

import { dueAt, dueBy, operationsIn, runOpenLoop } from './pacing';

describe('open-loop pacing', () => {
  it('schedules operations evenly from 0, and counts those due at a moment', () => {
    expect([0, 1, 2, 500].map((i) => dueAt(i, 500))).toEqual([0, 2, 4, 1000]);
    expect(dueBy(0, 500)).toBe(1);
    expect(dueBy(1.999, 500)).toBe(1);
    expect(dueBy(2, 500)).toBe(2);
    expect(dueBy(1000, 500)).toBe(501);
    expect(dueBy(-1, 500)).toBe(0);
    expect(operationsIn(20_000, 500)).toBe(10_000);
  });

  it('fires every operation once, in order, and at once all that fell due while the process was held up', async () => {
    // The clock moves only while an operation keeps the process busy: 1 ms,
    // then 3.5 ms (2, 3 and 4 fall due meanwhile), then 0.5 ms.
    const busyMs = [1, 3.5, 0, 0, 0.5, 0];
    let clock = 0;
    const fired: number[] = [];
    const lateness = await runOpenLoop({
      ratePerS: 1000,
      operations: busyMs.length,
      now: () => clock,
      fire: (index) => {
        fired.push(index);
        clock += busyMs[index] as number;
      },
    });
    expect(fired).toEqual([0, 1, 2, 3, 4, 5]);
    expect(lateness).toEqual([0, 0, 2.5, 1.5, 0.5, 0]);
  });
});

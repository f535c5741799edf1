import { describeExit, restartDelayMs, RestartSchedule, type RestartBackoff } from './restart-backoff';

const backoff: RestartBackoff = { initialDelayMs: 400, maxDelayMs: 5_000, resetAfterMs: 30_000 };

describe('restart backoff', () => {
  it('doubles the delay per crash in a row, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 50, 5000].map((n) => restartDelayMs(n, backoff))).toEqual([400, 800, 1600, 3200, 5000, 5000, 5000, 5000]);
    expect(() => restartDelayMs(0, backoff)).toThrow('restart number must be a positive integer, got 0');
  });

  it('counts crashes in a row, failed starts included, and forgets them once the service stayed up long enough', () => {
    const schedule = new RestartSchedule(backoff);
    expect(schedule.next(10_000)).toEqual({ restart: 1, delayMs: 400 });
    expect(schedule.next(0)).toEqual({ restart: 2, delayMs: 800 }); // did not even become ready
    expect(schedule.next(29_999)).toEqual({ restart: 3, delayMs: 1600 });
    expect(schedule.next(30_000)).toEqual({ restart: 1, delayMs: 400 });
  });

  it('keeps each replica’s history apart', () => {
    const [a, b] = [new RestartSchedule(backoff), new RestartSchedule(backoff)];
    a.next(0);
    a.next(0);
    expect(b.next(0)).toEqual({ restart: 1, delayMs: 400 });
  });

  it('says how a process ended', () => {
    expect(describeExit(1, null)).toBe('code 1');
    expect(describeExit(null, 'SIGKILL')).toBe('killed by SIGKILL');
    expect(describeExit(null, null)).toBe('code unknown');
  });
});

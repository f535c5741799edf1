import { parseProcStat, parseProcStatus, ticksToMicros } from './process-stats';

// A real /proc/<pid>/stat line of a node process (fields 14..17 = 1234 56 7 8).
const STAT = '4242 (node) S 1 4242 4242 0 -1 4194560 15000 0 0 0 1234 56 7 8 20 0 11 0 987654 1234567890 30000 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0';

describe('parseProcStat', () => {
  it('reads utime, stime, cutime and cstime (fields 14 to 17)', () => {
    expect(parseProcStat(STAT)).toEqual({ utime: 1234, stime: 56, cutime: 7, cstime: 8 });
  });

  it('counts fields from the last parenthesis, so a command name with spaces and parentheses does not shift them', () => {
    const tricky = STAT.replace('(node)', '(my (odd) name)');
    expect(parseProcStat(tricky)).toEqual({ utime: 1234, stime: 56, cutime: 7, cstime: 8 });
  });

  it('refuses text that is not a stat line', () => {
    expect(() => parseProcStat('no parenthesis here')).toThrow(/not a \/proc\/<pid>\/stat line/);
    expect(() => parseProcStat('1 (x) S 1 2')).toThrow(/field 14/);
  });
});

describe('parseProcStatus', () => {
  it('reads current and peak resident memory in kB', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmHWM:\t  163840 kB\nVmRSS:\t  131072 kB\nThreads:\t11\n';
    expect(parseProcStatus(status)).toEqual({ rssKb: 131072, hwmKb: 163840 });
  });

  it('names the line that is missing', () => {
    expect(() => parseProcStatus('VmRSS:\t 1 kB\n')).toThrow(/VmHWM/);
  });
});

describe('ticksToMicros', () => {
  it('converts clock ticks at the given USER_HZ', () => {
    expect(ticksToMicros(150, 100)).toBe(1_500_000);
    expect(ticksToMicros(3, 250)).toBe(12_000);
  });
});

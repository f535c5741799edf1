import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** CPU times of a process from /proc/<pid>/stat, in clock ticks. */
export interface ProcCpuTicks {
  /** User and system time of the process itself (all its threads). */
  readonly utime: number;
  readonly stime: number;
  /** User and system time of its children that it has waited for. */
  readonly cutime: number;
  readonly cstime: number;
}

/**
 * Parses the contents of /proc/<pid>/stat. The second field is the command
 * name in parentheses and may itself hold spaces and parentheses, so fields
 * are counted from the last ')'. See proc(5): utime, stime, cutime, cstime are
 * fields 14 to 17.
 */
export function parseProcStat(text: string): ProcCpuTicks {
  const end = text.lastIndexOf(')');
  if (end < 0) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  // After ')': field 3 (state) onwards, so field n is at index n - 3.
  const fields = text.slice(end + 2).trim().split(/\s+/);
  const field = (n: number) => {
    const value = Number(fields[n - 3]);
    if (!Number.isInteger(value)) throw new Error(`/proc/<pid>/stat field ${n} is not a number: ${fields[n - 3]}`);
    return value;
  };
  return { utime: field(14), stime: field(15), cutime: field(16), cstime: field(17) };
}

/** Resident memory of a process from /proc/<pid>/status, in kB. */
export interface ProcMemory {
  /** Current resident set size. */
  readonly rssKb: number;
  /** Peak resident set size ("high water mark") since start or the last reset. */
  readonly hwmKb: number;
}

export function parseProcStatus(text: string): ProcMemory {
  const kb = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!match) throw new Error(`/proc/<pid>/status has no ${name} line`);
    return Number(match[1]);
  };
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

let clockTicksPerSecond: number | undefined;

/** USER_HZ, the unit of the /proc CPU times (100 on practically every Linux). */
export function clockTicks(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

export const ticksToMicros = (ticks: number, hz = clockTicks()): number => (ticks * 1_000_000) / hz;

/** CPU time (user + system) the process has used so far, in microseconds. */
export function processCpuMicros(pid: number): number {
  const ticks = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return ticksToMicros(ticks.utime + ticks.stime);
}

export function processMemory(pid: number): ProcMemory {
  return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/**
 * Resets the process's peak RSS to its current RSS (proc(5), clear_refs "5"),
 * so the next VmHWM is the peak of what follows. False when not permitted.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The 1-minute load average (how busy the shared machine was). */
export function loadAverage1(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

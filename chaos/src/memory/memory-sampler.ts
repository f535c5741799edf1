import { processMemory, type ServiceProcess } from '@acme/testing';
import type { MemorySample } from './memory-growth';

/**
 * Reads the resident memory of every long-lived process every `intervalMs`
 * until stopped (/proc/<pid>/status: cheap, and nothing in the processes
 * changes for it). A process that is down at the moment (killed, not yet
 * restarted) is skipped; a frozen one is read like any other.
 */
export class MemorySampler {
  readonly samples: MemorySample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly processes: () => readonly ServiceProcess[],
    intervalMs: number,
  ) {
    this.read();
    this.timer = setInterval(() => this.read(), intervalMs);
  }

  /** Takes a last reading and stops. */
  stop(): void {
    clearInterval(this.timer);
    this.read();
  }

  private read(): void {
    const atMs = Date.now();
    for (const process of this.processes()) {
      if (!process.running) continue;
      try {
        this.samples.push({ process: process.name, pid: process.pid, atMs, rssMb: processMemory(process.pid).rssKb / 1024 });
      } catch {
        // Exited between the check and the read: its life ended there.
      }
    }
  }
}

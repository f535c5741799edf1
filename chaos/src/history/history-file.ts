import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { FaultRecord, PoisonRecord, RequestRecord } from './records';

/** One JSON object a line: `{"request": ...}`, `{"fault": ...}` or `{"poison": ...}`, in the order they completed. */
export type HistoryLine = { readonly request: RequestRecord } | { readonly fault: FaultRecord } | { readonly poison: PoisonRecord };

/** The run's history, kept in memory for the checker and written as JSON lines as it happens. */
export class HistoryFile {
  readonly requests: RequestRecord[] = [];
  readonly faults: FaultRecord[] = [];
  readonly poisoned: PoisonRecord[] = [];
  private readonly out: WriteStream;

  constructor(readonly path: string) {
    this.out = createWriteStream(path);
  }

  request(record: RequestRecord): void {
    this.requests.push(record);
    this.write({ request: record });
  }

  fault(record: FaultRecord): void {
    this.faults.push(record);
    this.write({ fault: record });
  }

  poison(record: PoisonRecord): void {
    this.poisoned.push(record);
    this.write({ poison: record });
  }

  private write(line: HistoryLine): void {
    this.out.write(`${JSON.stringify(line)}\n`);
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}

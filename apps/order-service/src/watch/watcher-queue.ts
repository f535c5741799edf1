import { status } from '@grpc/grpc-js';
import { StatusError } from '@acme/grpc-kit';
import type { OrderChange } from './order-changes.repository';

/**
 * The changes of one watched user not yet taken by its stream. Bounded: a
 * client that reads slower than its user's orders change fills it, and the
 * stream then ends with RESOURCE_EXHAUSTED instead of holding memory.
 */
export class WatcherQueue {
  private readonly pending: OrderChange[] = [];
  private failure: StatusError | undefined;
  private wake: (() => void) | undefined;
  private failed: ((error: StatusError) => void) | undefined;

  constructor(
    readonly userId: string,
    private readonly maxPending: number,
  ) {}

  push(change: OrderChange): void {
    if (this.failure) return;
    if (this.pending.length >= this.maxPending) {
      this.pending.length = 0;
      this.fail(
        new StatusError(
          status.RESOURCE_EXHAUSTED,
          `this stream fell ${this.maxPending} updates behind (the client reads too slowly): resubscribe with the last resume_token`,
        ),
      );
      return;
    }
    this.pending.push(change);
    this.wake?.();
  }

  fail(error: StatusError): void {
    if (this.failure) return;
    this.failure = error;
    this.wake?.();
    this.failed?.(error);
  }

  /** Called once, when the queue fails (its reader may not be waiting on next()). */
  onFailure(listener: (error: StatusError) => void): void {
    this.failed = listener;
  }

  /** The next change; rejects with the queue's failure, or when `signal` aborts. */
  async next(signal: AbortSignal): Promise<OrderChange | undefined> {
    for (;;) {
      if (this.failure) throw this.failure;
      const change = this.pending.shift();
      if (change) return change;
      if (signal.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.wake = undefined;
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }
}

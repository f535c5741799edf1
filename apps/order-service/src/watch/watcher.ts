import type { orderV1 } from '@acme/contracts';
import type { PushedStream } from '@acme/grpc-kit';
import type { OrderChange } from './order-changes.repository';
import { fellBehind, updateOf } from './order-updates';

/**
 * One WatchOrders stream as the feed sees it. While the stream catches up
 * (snapshot, then the changes since) the feed's changes are held, at most
 * `limit` (a client too slow to take its catch-up ends RESOURCE_EXHAUSTED);
 * once live, each change is pushed onto the stream as it comes, where the
 * stream's own bound (the same limit) ends a slow reader. A change can come
 * both from the catch-up read and from the feed; the seq, which only grows,
 * drops the repeat.
 */
export class Watcher {
  private held: OrderChange[] | undefined = [];
  private after = 0n;

  constructor(
    readonly userId: string,
    private readonly stream: PushedStream<orderV1.OrderUpdate>,
    private readonly limit: number,
  ) {}

  /** A change of this watcher's user, from the feed. */
  deliver(change: OrderChange): void {
    if (this.stream.ended) return;
    if (this.held) {
      if (this.held.length < this.limit) this.held.push(change);
      else {
        this.held = [];
        this.stream.end(fellBehind(this.limit));
      }
      return;
    }
    const seq = BigInt(change.seq);
    if (seq <= this.after) return;
    this.after = seq;
    this.stream.push(updateOf(change));
  }

  /** The catch-up has sent everything through `after`: sends what was held since, and from now on each change as it comes. */
  goLive(after: string): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.after = BigInt(after);
    for (const change of held) this.deliver(change);
  }
}

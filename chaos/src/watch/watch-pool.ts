import { OrderWatcher, type WatchRecord, type WatchTransport } from './order-watcher';
import type { OpenWatch } from './watch-update';

/**
 * Which of a client's users are watched, and how: its 1st and 5th users
 * through the gateways' SSE route, its 2nd and 6th with WatchOrders straight
 * to order-service, so each client has up to four watchers, some of users
 * that it goes on ordering for and some of users it deletes.
 */
const WATCHED: ReadonlyMap<number, WatchTransport> = new Map([
  [1, 'sse'],
  [2, 'grpc'],
  [5, 'sse'],
  [6, 'grpc'],
]);

/** The run's watchers, opened as the clients create their users. */
export class WatchPool {
  private readonly watchers: OrderWatcher[] = [];

  constructor(private readonly transports: Readonly<Record<WatchTransport, OpenWatch>>) {}

  /** A client's `index`-th user (from 1) was created. */
  userCreated(index: number, userId: string): void {
    const transport = WATCHED.get(index);
    if (transport) this.watchers.push(new OrderWatcher(this.watchers.length, transport, userId, this.transports[transport]));
  }

  get userIds(): string[] {
    return [...new Set(this.watchers.map((w) => w.userId))];
  }

  /** Waits (at most `timeoutMs` in all) until each watcher has received up to the last of its user's changes in `lastSeq`. */
  async catchUp(lastSeq: ReadonlyMap<string, string>, timeoutMs: number): Promise<void> {
    await Promise.all(this.watchers.map((w) => (lastSeq.has(w.userId) ? w.reached(lastSeq.get(w.userId) as string, timeoutMs) : undefined)));
  }

  stop(): Promise<WatchRecord[]> {
    return Promise.all(this.watchers.map((w) => w.stop()));
  }
}

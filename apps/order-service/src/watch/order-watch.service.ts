import { Inject, Injectable } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import type { orderV1 } from '@acme/contracts';
import { InvalidArgumentError, pushedStream, type PushedStream, type PushOptions, StatusError } from '@acme/grpc-kit';
import { ORDER_SERVICE_CONFIG, type OrderServiceConfig } from '../config';
import { UserDirectory } from '../users/user-directory';
import { OrderChangeFeed } from './order-change-feed';
import { OrderChangesRepository } from './order-changes.repository';
import { fellBehind, snapshotEnd, snapshotUpdate, updateOf } from './order-updates';
import { CHANGE_READ_BATCH, CHANGE_RETENTION } from './watch-limits';

/**
 * WatchOrders: a snapshot (or a resume point), the changes committed since
 * (read from order_changes), then the live ones the feed pushes. The first
 * two are written with backpressure and end; after them nothing of the
 * stream waits on anything: it is a Watcher in the feed until it ends
 * (pushedStream), which is what keeps an idle watch small.
 */
@Injectable()
export class OrderWatchService {
  private readonly push: PushOptions;

  constructor(
    private readonly feed: OrderChangeFeed,
    private readonly changes: OrderChangesRepository,
    private readonly users: UserDirectory,
    @Inject(ORDER_SERVICE_CONFIG) config: OrderServiceConfig,
  ) {
    const limit = config.WATCH_MAX_PENDING_UPDATES;
    this.push = { maxBuffered: limit, overflow: () => fellBehind(limit) };
  }

  watch(request: orderV1.WatchOrdersRequest): AsyncIterable<orderV1.OrderUpdate> {
    return pushedStream(this.push, (stream) => this.start(request, stream));
  }

  private async start(request: orderV1.WatchOrdersRequest, stream: PushedStream<orderV1.OrderUpdate>): Promise<void> {
    const { userId } = request;
    const token = request.resumeToken === '' ? undefined : parseToken(request.resumeToken);
    await this.users.assertCallerActsFor(userId);
    // Subscribed before anything is read, so no change falls between the read and the live feed.
    const watcher = await this.feed.subscribe(userId, stream);
    let after: string;
    if (token === undefined) {
      const snapshot = await this.changes.snapshot(userId);
      for (const order of snapshot.orders) if (!(await stream.send(snapshotUpdate(order)))) return;
      after = snapshot.seq;
      if (!(await stream.send(snapshotEnd(after)))) return;
    } else {
      const prunedThrough = await this.changes.prunedThrough();
      if (BigInt(token) < BigInt(prunedThrough)) {
        throw new StatusError(
          status.OUT_OF_RANGE,
          `resume_token: changes older than ${CHANGE_RETENTION} are not kept, so this stream cannot resume from it: resubscribe without a resume_token (from a snapshot)`,
        );
      }
      after = token;
    }
    // Accepted: a resumed watch may have nothing to send for a long time, and its client should not wait that long to know.
    stream.sendHeaders();
    for (;;) {
      const batch = await this.changes.userChangesAfter(userId, after, CHANGE_READ_BATCH);
      for (const change of batch) {
        after = change.seq;
        if (!(await stream.send(updateOf(change)))) return;
      }
      if (batch.length < CHANGE_READ_BATCH) break;
    }
    watcher.goLive(after);
  }
}

function parseToken(token: string): string {
  if (!/^\d{1,19}$/.test(token)) {
    throw new InvalidArgumentError('resume_token', 'was not issued by this service: pass the resume_token of an OrderUpdate, or none to start from a snapshot');
  }
  return token;
}

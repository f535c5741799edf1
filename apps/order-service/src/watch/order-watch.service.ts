import { create } from '@bufbuild/protobuf';
import { Injectable } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { orderV1, type StreamCall } from '@acme/contracts';
import { InvalidArgumentError, StatusError } from '@acme/grpc-kit';
import { toOrderMessage } from '../orders/order.mapper';
import { UserDirectory } from '../users/user-directory';
import { OrderChangeFeed } from './order-change-feed';
import { type OrderChange, OrderChangesRepository } from './order-changes.repository';
import { CHANGE_READ_BATCH, CHANGE_RETENTION } from './watch-limits';

const Kind = orderV1.OrderUpdate_Kind;

/**
 * WatchOrders: a snapshot (or a resume point), the changes committed since
 * (read from order_changes), then the live ones the feed hands over. A change
 * can arrive both from the catch-up read and from the feed; the seq, which
 * only grows, drops the repeat.
 */
@Injectable()
export class OrderWatchService {
  constructor(
    private readonly feed: OrderChangeFeed,
    private readonly changes: OrderChangesRepository,
    private readonly users: UserDirectory,
  ) {}

  async *watch(request: orderV1.WatchOrdersRequest, call: StreamCall): AsyncGenerator<orderV1.OrderUpdate> {
    const { userId } = request;
    const { signal } = call;
    const token = request.resumeToken === '' ? undefined : parseToken(request.resumeToken);
    await this.users.assertCallerActsFor(userId);
    // Subscribed before anything is read, so no change falls between the read and the live feed.
    const subscription = this.feed.subscribe(userId);
    // A client that stops reading leaves this generator parked at a yield, not
    // reading its queue: the queue's overflow ends the call from outside.
    subscription.queue.onFailure((error) => call.end(error));
    try {
      let after: string;
      if (token === undefined) {
        const snapshot = await this.changes.snapshot(userId);
        for (const order of snapshot.orders) yield create(orderV1.OrderUpdateSchema, { kind: Kind.SNAPSHOT, order: toOrderMessage(order) });
        after = snapshot.seq;
        yield create(orderV1.OrderUpdateSchema, { kind: Kind.SNAPSHOT_END, resumeToken: after });
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
      call.sendHeaders();
      for (;;) {
        const batch = await this.changes.userChangesAfter(userId, after, CHANGE_READ_BATCH);
        for (const change of batch) {
          after = change.seq;
          yield updateOf(change);
        }
        if (batch.length < CHANGE_READ_BATCH) break;
      }
      for (;;) {
        const change = await subscription.queue.next(signal);
        if (!change) return;
        if (BigInt(change.seq) <= BigInt(after)) continue;
        after = change.seq;
        yield updateOf(change);
      }
    } finally {
      subscription.close();
    }
  }
}

function parseToken(token: string): string {
  if (!/^\d{1,19}$/.test(token)) {
    throw new InvalidArgumentError('resume_token', 'was not issued by this service: pass the resume_token of an OrderUpdate, or none to start from a snapshot');
  }
  return token;
}

/** The update of a change: the order as the change left it (its status is the change's; it may have changed again since). */
function updateOf(change: OrderChange): orderV1.OrderUpdate {
  const order = toOrderMessage({ ...change.order, status: change.kind, updateTime: change.changeTime });
  return create(orderV1.OrderUpdateSchema, {
    kind: change.kind === 'CREATED' ? Kind.CREATED : Kind.CANCELLED,
    order,
    resumeToken: change.seq,
  });
}

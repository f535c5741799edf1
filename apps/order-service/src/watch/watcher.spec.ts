import { status } from '@grpc/grpc-js';
import type { orderV1 } from '@acme/contracts';
import type { PushedStream } from '@acme/grpc-kit';
import type { OrderChange } from './order-changes.repository';
import { Watcher } from './watcher';

const change = (seq: number): OrderChange => ({
  seq: String(seq),
  userId: 'u',
  kind: 'CREATED',
  changeTime: new Date(0),
  order: { id: `o${seq}`, userId: 'u', idempotencyKey: `k${seq}`, requestHash: 'h', status: 'CREATED', totalCents: '0', items: [], createTime: new Date(0), updateTime: new Date(0) },
});

/** The part of a PushedStream a Watcher uses, recording what reaches it (the stream itself is pushed-streams.spec's). */
function recordingStream() {
  const pushed: string[] = [];
  const ended: unknown[] = [];
  const stream = {
    ended: false,
    push: (update: orderV1.OrderUpdate) => pushed.push(update.resumeToken) > 0,
    end: (error?: unknown) => {
      stream.ended = true;
      ended.push(error);
    },
  };
  return { stream: stream as unknown as PushedStream<orderV1.OrderUpdate>, pushed, ended };
}

describe('Watcher', () => {
  it.each([
    { case: 'live changes are pushed as they come', held: [], after: 0, live: [1, 2, 3], pushed: ['1', '2', '3'] },
    { case: 'changes held during the catch-up go out when it ends, those it already sent dropped', held: [4, 5, 6], after: 5, live: [7], pushed: ['6', '7'] },
    { case: 'a change both read by the catch-up and fed live goes out once', held: [], after: 3, live: [2, 3, 4, 4], pushed: ['4'] },
  ])('$case', ({ held, after, live, pushed }) => {
    const { stream, pushed: seen } = recordingStream();
    const watcher = new Watcher('u', stream, 10);
    for (const seq of held) watcher.deliver(change(seq));
    expect(seen).toEqual([]);
    watcher.goLive(String(after));
    for (const seq of live) watcher.deliver(change(seq));
    expect(seen).toEqual(pushed);
  });

  it('ends its stream with RESOURCE_EXHAUSTED when more than its limit arrive during the catch-up, and pushes nothing after', () => {
    const { stream, pushed, ended } = recordingStream();
    const watcher = new Watcher('u', stream, 3);
    for (let seq = 1; seq <= 4; seq++) watcher.deliver(change(seq));
    expect(ended).toEqual([expect.objectContaining({ code: status.RESOURCE_EXHAUSTED, message: expect.stringMatching(/fell 3 updates behind .*resubscribe with the last resume_token/) })]);
    watcher.goLive('0');
    watcher.deliver(change(5));
    expect(pushed).toEqual([]);
  });
});

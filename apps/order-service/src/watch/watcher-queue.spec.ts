import { status } from '@grpc/grpc-js';
import type { OrderChange } from './order-changes.repository';
import { WatcherQueue } from './watcher-queue';

const change = (seq: number): OrderChange =>
  ({ seq: String(seq), userId: 'u', kind: 'CREATED', changeTime: new Date(0), order: {} as OrderChange['order'] }) as OrderChange;

describe('WatcherQueue', () => {
  it('hands changes over in the order they were pushed, waiting for the next', async () => {
    const queue = new WatcherQueue('u', 10);
    const signal = new AbortController().signal;
    queue.push(change(1));
    expect((await queue.next(signal))?.seq).toBe('1');
    const waiting = queue.next(signal);
    queue.push(change(2));
    expect((await waiting)?.seq).toBe('2');
  });

  it('fails with RESOURCE_EXHAUSTED once more than its limit is waiting, and drops what it held', async () => {
    const queue = new WatcherQueue('u', 3);
    for (let seq = 1; seq <= 4; seq++) queue.push(change(seq));
    await expect(queue.next(new AbortController().signal)).rejects.toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
      message: expect.stringMatching(/fell 3 updates behind .*resubscribe with the last resume_token/),
    });
  });

  it('wakes a waiting reader when the failure comes, and when its stream is aborted', async () => {
    const failing = new WatcherQueue('u', 1);
    const reading = failing.next(new AbortController().signal);
    failing.push(change(1));
    failing.push(change(2)); // before the reader took the first: over the limit
    await expect(reading).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    const aborted = new AbortController();
    const idle = new WatcherQueue('u', 1).next(aborted.signal);
    aborted.abort();
    await expect(idle).resolves.toBeUndefined();
  });
});

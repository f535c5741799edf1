import type { IdleStreamsPoint, IdleStreamsResult } from '../model';
import type { StreamingPlan } from '../scenarios';
import type { StreamingStack } from '../system/streaming-stack';
import { seedUsers } from './bench-users';
import { mbPer1000Streams } from './idle-memory';
import { scrapeStreams, settledRss, subscriptionsReach } from './stream-gauge';
import type { WatcherFleet } from './watcher-fleet';

/**
 * order-service's RSS with none, then each level of idle WatchOrders streams
 * open, one user each, every stream held after its snapshot (the users have
 * no orders: the snapshot is its end marker alone). Each reading waits for the
 * live-subscription gauge to reach the count, then for RSS to settle
 * (stream-gauge.ts). One batch of streams is opened and closed first, so the
 * zero point already has the stream code paths compiled.
 */
export async function measureIdleStreams(stack: StreamingStack, fleet: WatcherFleet, plan: StreamingPlan, log: (line: string) => void): Promise<IdleStreamsResult> {
  const most = Math.max(...plan.idleStreams);
  const userIds = await seedUsers(stack.users, most, 'idle');
  const pid = stack.orderService.pid;

  await fleet.open(stack.orderOrigin, userIds.slice(0, plan.openBatch));
  await fleet.close();
  await subscriptionsReach(stack.orderMetricsUrl, 0);

  const points: IdleStreamsPoint[] = [];
  const reading = async (streams: number, connections: number) => {
    await subscriptionsReach(stack.orderMetricsUrl, streams);
    const rss = await settledRss(pid);
    const { heapUsedMb } = await scrapeStreams(stack.orderMetricsUrl);
    const point: IdleStreamsPoint = { streams, connections, ...rss, ...(heapUsedMb !== undefined ? { heapUsedMb } : {}) };
    log(
      `idle streams: ${streams} on ${connections} connection(s): RSS ${rss.rssMb.toFixed(1)} MB` +
        `${heapUsedMb !== undefined ? `, V8 heap used ${heapUsedMb.toFixed(1)} MB` : ''} (${rss.settled ? 'settled' : 'NOT settled'} after ${(rss.settleMs / 1000).toFixed(1)} s)`,
    );
    points.push(point);
  };

  await reading(0, 0);
  let open = 0;
  let streamsPerConnection = 0;
  let connections = 0;
  for (const level of plan.idleStreams) {
    while (open < level) {
      const batch = userIds.slice(open, Math.min(level, open + plan.openBatch));
      const opened = await fleet.open(stack.orderOrigin, batch);
      open = opened.watchers;
      connections = opened.connections;
      streamsPerConnection = opened.streamsPerConnection;
    }
    await reading(level, connections);
  }
  const { ended, endedSample, unrecorded } = await fleet.report();
  if (ended > 0) throw new Error(`${ended} idle stream(s) were ended by the server while held: ${endedSample}`);
  if (unrecorded > 0) throw new Error(`idle streams received ${unrecorded} change(s): nothing should change their users' orders`);

  await fleet.close();
  await subscriptionsReach(stack.orderMetricsUrl, 0);
  const afterClose = await settledRss(pid);
  const { subscriptions } = await scrapeStreams(stack.orderMetricsUrl);
  log(`idle streams: all cancelled, live subscriptions ${subscriptions}, RSS ${afterClose.rssMb.toFixed(1)} MB`);
  return {
    points,
    mbPer1000: mbPer1000Streams(points),
    streamsPerConnection,
    subscriptionsAfterClose: subscriptions,
    rssAfterCloseMb: afterClose.rssMb,
  };
}

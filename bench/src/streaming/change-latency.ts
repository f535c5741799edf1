import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processCpuMicros, summarizeLatencies } from '@acme/testing';
import { runGenerator } from '../load/run-generator';
import type { ChangeLatencyResult } from '../model';
import type { StreamingPlan } from '../scenarios';
import type { StreamingStack } from '../system/streaming-stack';
import { seedUsers } from './bench-users';
import type { ChangeWriterConfig, ChangeWriterResult } from './change-writer';
import { matchDeliveries } from './deliveries';
import { subscriptionsReach } from './stream-gauge';
import type { WatcherFleet } from './watcher-fleet';

const RESULT = /^BENCH_CHANGES (.*)$/m;

/** How long the watchers may take, after the last write returned, to receive what is still on its way. */
const DRAIN_BOUND_MS = 15_000;

/**
 * Watchers on the users whose orders change (`watchersPerUser` each, on
 * different connections), then changes at a fixed rate from the change
 * writer (its own process, open loop), then every watcher's updates matched
 * against the writes: each change must reach every watcher of its user once.
 * Latency is taken from the moment the write RPC returned (the writer then
 * knows the change is committed: order-service answers after its
 * transaction) to the watcher's receipt; that from the moment it was sent is
 * the upper bound, the commit lies between.
 */
export async function measureChangeLatency(
  stack: StreamingStack,
  fleet: WatcherFleet,
  plan: StreamingPlan,
  ratePerS: number,
  workDir: string,
  log: (line: string) => void,
): Promise<ChangeLatencyResult> {
  const userIds = await seedUsers(stack.users, plan.watchers / plan.watchersPerUser, 'watched');
  // Watcher i and i + users watch the same user: a connection apart.
  const watcherUsers = Array.from({ length: plan.watchersPerUser }, () => userIds).flat();
  for (let open = 0; open < watcherUsers.length; open += plan.openBatch) {
    await fleet.open(stack.orderOrigin, watcherUsers.slice(open, open + plan.openBatch));
  }
  await subscriptionsReach(stack.orderMetricsUrl, watcherUsers.length);
  await fleet.record();
  log(`change latency: ${watcherUsers.length} watchers on ${userIds.length} users; ${ratePerS} changes/s for ${plan.changeSeconds} s`);

  const config: ChangeWriterConfig = {
    origin: stack.orderOrigin,
    userIds,
    ratePerS,
    durationMs: plan.changeSeconds * 1000,
    keyPrefix: `bench-watch-${Date.now().toString(36)}`,
    connections: 1,
    timeout: '10S',
  };
  const configFile = join(workDir, 'change-writer.json');
  await writeFile(configFile, JSON.stringify(config));
  const serverBefore = processCpuMicros(stack.orderService.pid);
  const watchersBefore = fleet.cpuUs();
  const started = performance.now();
  let written: ChangeWriterResult;
  try {
    const exit = await runGenerator(process.execPath, [require.resolve('./change-writer'), configFile]);
    const match = RESULT.exec(exit.stdout);
    if (!match) throw new Error(`the change writer printed no result:\n${exit.stdout}\n${exit.stderr}`);
    written = JSON.parse(match[1] as string) as ChangeWriterResult;
  } finally {
    await rm(configFile, { force: true });
  }
  if (written.changes.length === 0) throw new Error(`no change was written; first error: ${written.errorSample}`);
  const expected = written.changes.length * plan.watchersPerUser;
  const drainUntil = performance.now() + DRAIN_BOUND_MS;
  while ((await fleet.count()).deliveries < expected && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 100));
  const wallMs = performance.now() - started;
  const serverCpu = processCpuMicros(stack.orderService.pid) - serverBefore;
  const watchersCpu = fleet.cpuUs() - watchersBefore;

  const report = await fleet.report();
  const deliveries = matchDeliveries(written.changes, watcherUsers, report.deliveries);
  await fleet.close();
  await subscriptionsReach(stack.orderMetricsUrl, 0);
  const changes = written.changes.length;
  log(
    `change latency at ${ratePerS}/s: ${changes} changes (${written.failed} failed), ${deliveries.delivered}/${deliveries.expected} delivered, ` +
      `${deliveries.duplicates} duplicates; from write returned p50 ${((deliveries.fromReturnedUs?.p50 ?? NaN) / 1000).toFixed(2)} ms, ` +
      `p99 ${((deliveries.fromReturnedUs?.p99 ?? NaN) / 1000).toFixed(2)} ms`,
  );
  return {
    watchers: watcherUsers.length,
    users: userIds.length,
    ratePerS,
    durationS: plan.changeSeconds,
    changes,
    achievedPerS: changes / (written.elapsedMs / 1000),
    failedWrites: written.failed,
    ...(written.errorSample ? { writeErrorSample: written.errorSample } : {}),
    writeLatencyUs: summarizeLatencies(written.changes.map((c) => c.returnedUs - c.sentUs)),
    deliveries,
    outOfOrder: report.outOfOrder,
    endedStreams: report.ended,
    ...(report.endedSample ? { endedSample: report.endedSample } : {}),
    writerLatenessMs: written.latenessMs,
    maxInFlight: written.maxInFlight,
    writerCorePercent: (written.cpuUs / (written.elapsedMs * 1000)) * 100,
    watchersCorePercent: (watchersCpu / (wallMs * 1000)) * 100,
    orderServiceCorePercent: (serverCpu / (wallMs * 1000)) * 100,
    orderServiceCpuUsPerChange: serverCpu / changes,
  };
}

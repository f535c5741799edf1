import type { ChangeLatencyResult, ImportComparison, IdleStreamsResult, StreamingResult } from '../model';
import { markdownTable, num, ratio } from './markdown';

const ms = (us: number | undefined) => (us === undefined ? '–' : num(us / 1000, 2));

/** order-service's RSS at each count of idle streams, and what each step added per 1,000. */
export function idleStreamsTable(idle: IdleStreamsResult): string {
  const header = ['idle streams', 'connections', 'RSS MB', 'V8 heap used MB', 'settled after s', 'MB per 1,000 (step)'];
  const body = idle.points.map((point, i) => {
    const previous = idle.points[i - 1];
    const step = previous ? (point.rssMb - previous.rssMb) / ((point.streams - previous.streams) / 1000) : undefined;
    return [
      num(point.streams),
      num(point.connections),
      num(point.rssMb, 1),
      num(point.heapUsedMb, 1),
      `${num(point.settleMs / 1000, 1)}${point.settled ? '' : ' (bound, not settled)'}`,
      num(step, 2),
    ];
  });
  return markdownTable(header, body, ['right', 'right', 'right', 'right', 'right', 'right']);
}

/** The change-to-client runs as figure lines, one column per rate (one run each, many figures). */
export function changeLatencyTable(runs: readonly ChangeLatencyResult[]): string {
  const figures: [string, (run: ChangeLatencyResult) => string][] = [
    ['watchers (users, watchers per user)', (r) => `${num(r.watchers)} (${num(r.users)}, ${num(r.watchers / r.users)})`],
    ['changes: achieved rate, written (failed)', (r) => `${num(r.achievedPerS)}/s over ${r.durationS} s, ${num(r.changes)} (${r.failedWrites})`],
    ['delivered / expected', (r) => `${num(r.deliveries.delivered)} / ${num(r.deliveries.expected)}`],
    ['missing, duplicates, unexpected, out of order', (r) => `${r.deliveries.missing}, ${r.deliveries.duplicates}, ${r.deliveries.unexpected}, ${r.outOfOrder}`],
    ['from write returned: p50 / p99 / max ms', (r) => `${ms(r.deliveries.fromReturnedUs?.p50)} / ${ms(r.deliveries.fromReturnedUs?.p99)} / ${ms(r.deliveries.fromReturnedUs?.max)}`],
    ['from write sent (upper bound): p50 / p99 / max ms', (r) => `${ms(r.deliveries.fromSentUs?.p50)} / ${ms(r.deliveries.fromSentUs?.p99)} / ${ms(r.deliveries.fromSentUs?.max)}`],
    ['delivered before the write returned', (r) => `${num((r.deliveries.beforeReturn / Math.max(1, r.deliveries.delivered)) * 100, 1)} %`],
    ['write RPC p50 / p99 ms', (r) => `${ms(r.writeLatencyUs.p50)} / ${ms(r.writeLatencyUs.p99)}`],
    ['order-service CPU µs per change (% of a core)', (r) => `${num(r.orderServiceCpuUsPerChange)} (${num(r.orderServiceCorePercent)} %)`],
    ['writer CPU % of a core; lateness p99 / max ms; max in flight', (r) => `${num(r.writerCorePercent)} %; ${num(r.writerLatenessMs.p99, 2)} / ${num(r.writerLatenessMs.max, 2)}; ${r.maxInFlight}`],
    ['watchers process CPU % of a core', (r) => `${num(r.watchersCorePercent)} %`],
    ['streams ended by the server', (r) => (r.endedStreams === 0 ? '0' : `${r.endedStreams} (${r.endedSample ?? ''})`)],
  ];
  const header = ['figure', ...runs.map((r) => `${num(r.ratePerS)} changes/s`)];
  return markdownTable(header, figures.map(([label, value]) => [label, ...runs.map(value)]), ['left', ...runs.map(() => 'right' as const)]);
}

export function importTable(imports: ImportComparison): string {
  const header = ['method', 'users', 'rows written', 's', 'rows/s', 'vs CreateUser', 'user-service CPU µs/row', 'DB CPU µs/row', 'gen CPU %', 'errors'];
  const body = [imports.createUser, imports.importUsers].map((run) => [
    run.label,
    num(run.users),
    num(run.rowsWritten),
    num(run.elapsedS, 1),
    num(run.rowsPerS),
    run === imports.importUsers ? ratio(imports.ratio) : '–',
    num(run.serverCpuUsPerRow),
    num(run.dbCpuUsPerRow),
    num(run.generatorCorePercent),
    run.errors === 0 ? '0' : `${run.errors} (${run.errorSample ?? ''})`,
  ]);
  return markdownTable(header, body, ['left', ...Array<'right'>(9).fill('right')]);
}

/** The Streaming section of the report. */
export function streamingSection(streaming: StreamingResult): string[] {
  const { idle, latency, imports } = streaming;
  return [
    '### Streaming',
    '',
    `Its own stack (user-service, order-service with a metrics port, fresh databases, GRPC_MAX_CONNECTION_AGE_MS one hour); load average after each part: ${streaming.loadAverages.map((l) => l.toFixed(1)).join(', ')}.`,
    '',
    `Idle WatchOrders streams (one user each, held after the snapshot; ${num(idle.streamsPerConnection)} streams per connection, the server's limit): ${num(idle.mbPer1000, 2)} MB of order-service RSS per 1,000 streams. After cancelling all: ${idle.subscriptionsAfterClose} live subscriptions, RSS ${num(idle.rssAfterCloseMb, 1)} MB.`,
    '',
    idleStreamsTable(idle),
    '',
    'Each reading: the order_watch.subscriptions gauge reaches the count, then RSS is sampled every 250 ms until it stays within 1 MB for 2 s (at most 20 s); no GC is forced. V8 heap used: the runtime metrics at that moment.',
    '',
    'Change to client (CreateOrder and CancelOrder alternately, open loop, from a writer process; watchers in another process, raw HTTP/2):',
    '',
    changeLatencyTable(latency),
    '',
    'Latency is from the moment the write RPC returned (the writer then knows the change is committed) to the watcher reading the update; from the moment it was sent is the upper bound; the commit lies between. Both ends read CLOCK_MONOTONIC.',
    '',
    `ImportUsers against CreateUser (the same number of new users, each run on an emptied users table, row counts checked):`,
    '',
    importTable(imports),
  ];
}

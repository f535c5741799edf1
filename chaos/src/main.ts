import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { appScript, workspacePath } from '@acme/testing';
import { checkHistory, DEFAULT_BOUNDS } from './check/invariants';
import { runFaults } from './faults/fault-injector';
import { HistoryFile } from './history/history-file';
import { memorySeries } from './memory/memory-growth';
import { MemorySampler } from './memory/memory-sampler';
import { parseOptions, phases, USAGE, UsageError } from './options';
import { faultSchedule } from './plan/fault-schedule';
import { Prng } from './plan/prng';
import { renderPlot } from './report/plot';
import { renderReport } from './report/render';
import { perSecond, totals } from './report/summary';
import { ChaosSystem, EVENTS_EXCHANGE } from './system/chaos-system';
import { checkWatchers } from './check/watch-invariants';
import { changesOf, settle } from './system/settle';
import { grpcWatches } from './watch/grpc-watch';
import { sseWatches } from './watch/sse-watch';
import { WatchPool } from './watch/watch-pool';
import { publishPoison } from './workload/poison-message';
import { runVirtualClient } from './workload/virtual-client';

// `npm run chaos -- --minutes N --seed S`: builds (through Nx), starts the
// system, runs a seeded workload and fault schedule, lets it settle, checks
// the history against the invariants and writes the report. See docs/chaos.md.

const log = (line: string) => console.error(`[chaos] ${line}`);

/** Per virtual client: one request per interval at most, and a bound on the count whatever the length. */
const CLIENT_INTERVAL_MS = 50;
const MAX_REQUESTS_PER_CLIENT_MINUTE = 1_200;

/** After settling, the watchers get this long to receive the last changes of their users. */
const WATCH_CATCH_UP_MS = 10_000;
/**
 * A fault whose repair is slow (a restart on a busy machine) can end after the
 * planned end of the workload; the workload then goes on until the recovery
 * bound after the last repair, so that its recovery is seen, at most this
 * much longer.
 */
const MAX_OVERRUN_MS = 60_000;
/** How often the long-lived processes' memory is read. */
const MEMORY_INTERVAL_MS = 2_000;

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const missing = ['user-service', 'order-service', 'api-gateway', 'identity-provider'].map((app) => appScript(app, 'serve')).filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')}. Run the soak with \`npm run chaos\`, which builds first.`);

  const runDir = workspacePath('tmp', 'chaos', `${new Date().toISOString().replace(/[:.]/g, '-')}-seed-${options.seed}`);
  const logDir = join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const phase = phases(options.minutes);
  const root = new Prng(options.seed);
  const schedule = faultSchedule(root.fork('faults'), { fromMs: phase.faultsFromMs, untilMs: phase.faultsUntilMs, maxFaults: phase.maxFaults, maxConcurrent: 2 });
  // One poisoned message, at a seeded moment of the fault phase (whatever fault is active then).
  const poisonAtMs = root.fork('poison').int(phase.faultsFromMs, phase.faultsUntilMs);
  log(`seed ${options.seed}, ${options.minutes} min, ${options.clients} clients, ${schedule.length} faults planned, a poisoned message at ${poisonAtMs} ms; run directory ${runDir}`);

  const chaos = await ChaosSystem.start(logDir);
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= chaos.stop());
  const interrupt = () => {
    log('interrupted: stopping the system, dropping its databases and vhost');
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const history = new HistoryFile(join(runDir, 'history.jsonl'));
    const token = await chaos.system.identity.token('admin');
    const grpc = grpcWatches([0, 1].map((replica) => chaos.system.address('order-service', replica)), token);
    const watches = new WatchPool({ sse: sseWatches(chaos.gateways, token), grpc: grpc.open });
    const originMs = Date.now();
    const plannedEndMs = originMs + phase.totalMs;
    let faultsDoneMs: number | undefined;
    const untilMs = () => (faultsDoneMs === undefined ? plannedEndMs + MAX_OVERRUN_MS : Math.max(plannedEndMs, faultsDoneMs + DEFAULT_BOUNDS.recoveryMs));
    const clients = Array.from({ length: options.clients }, (_, client) =>
      runVirtualClient({
        client,
        prng: root.fork(`client-${client}`),
        gateways: chaos.gateways,
        token,
        untilMs,
        maxRequests: Math.ceil(options.minutes * MAX_REQUESTS_PER_CLIENT_MINUTE),
        intervalMs: CLIENT_INTERVAL_MS,
        record: (r) => history.request(r),
        userCreated: (index, userId) => watches.userCreated(index, userId),
      }),
    );
    const sampler = new MemorySampler(() => chaos.processes(), MEMORY_INTERVAL_MS);
    const faults = runFaults(chaos, schedule, originMs, phase.faultsUntilMs, (f) => {
      log(`fault ${f.id} ${f.kind} ${JSON.stringify(f.target)}: ${f.endMs - f.startMs} ms${f.error ? `, ${f.error}` : ''}`);
      history.fault(f);
    }).then((outcome) => {
      faultsDoneMs = Date.now();
      if (untilMs() > plannedEndMs) log(`the last fault was undone ${faultsDoneMs - originMs} ms in: the workload goes on until ${untilMs() - originMs} ms`);
      return outcome;
    });
    const poison = delay(Math.max(0, originMs + poisonAtMs - Date.now())).then(async () => {
      const record = await publishPoison(chaos.vhost.url, EVENTS_EXCHANGE);
      log(`poisoned message ${record.messageId} (${record.type})${record.error ? `: ${record.error}` : ''}`);
      history.poison(record);
    });
    const [{ skipped }] = await Promise.all([faults, poison, ...clients]);
    sampler.stop();
    if (skipped.length > 0) log(`skipped ${skipped.length} faults: their target was still being repaired until too late in the run`);
    const memory = {
      series: memorySeries(sampler.samples, originMs + phase.faultsFromMs, DEFAULT_BOUNDS.memory),
      notRunning: chaos.processes().flatMap((p) => (p.running ? [] : [p.name])),
    };
    log(`workload done: ${history.requests.length} requests; settling`);
    const deleted = [...new Set(history.requests.filter((r) => r.kind === 'delete-user' && r.userId && ((r.status >= 200 && r.status < 300) || r.status === 404)).map((r) => r.userId as string))];
    const { state, settledMs } = await settle(chaos, deleted, history.poisoned.filter((p) => !p.error).length);
    const changes = await changesOf(chaos, watches.userIds);
    await watches.catchUp(new Map(changes.map((c) => [c.userId, c.seq])), WATCH_CATCH_UP_MS);
    const watchRecords = await watches.stop();
    const watched = checkWatchers(watchRecords, changes);
    grpc.close();
    await history.close();

    const checked = checkHistory(history.requests, history.faults, history.poisoned, state, memory, DEFAULT_BOUNDS);
    const result = { ...checked, violations: [...checked.violations, ...watched.violations] };
    const counts = totals(history.requests);
    const report = renderReport({ seed: options.seed, minutes: options.minutes, runDir, originMs }, result, counts, memory, watched.totals, DEFAULT_BOUNDS, settledMs);
    writeFileSync(join(runDir, 'report.md'), report);
    writeFileSync(join(runDir, 'plot.svg'), renderPlot(perSecond(history.requests, originMs, Math.ceil((history.requests.reduce((end, r) => Math.max(end, r.endMs), plannedEndMs) - originMs) / 1_000)), history.faults, originMs, sampler.samples));
    writeFileSync(
      join(runDir, 'results.json'),
      `${JSON.stringify({ options, bounds: DEFAULT_BOUNDS, schedule, skipped: skipped.map((f) => f.id), poisoned: history.poisoned, faults: result.faults, totals: counts, watchers: { ...watched.totals, each: watchRecords.map(({ received, ...w }) => ({ ...w, received: received.length })) }, memory, settled: { settledMs, orders: state.orders.length, deletedUsers: state.deletedUsers.length, pendingOutbox: state.pendingOutbox, deadLettered: state.deadLettered }, violations: result.violations }, null, 2)}\n`,
    );
    writeFileSync(join(runDir, 'memory.csv'), `process,pid,at_ms,rss_mb\n${sampler.samples.map((m) => `${m.process},${m.pid},${m.atMs - originMs},${m.rssMb.toFixed(1)}`).join('\n')}\n`);
    process.stdout.write(report);
    log(`history ${join(runDir, 'history.jsonl')}, plot ${join(runDir, 'plot.svg')}, results ${join(runDir, 'results.json')}`);
    return result.violations.length === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);

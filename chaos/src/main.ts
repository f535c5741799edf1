import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { appScript, processMemory, type ServiceProcess, workspacePath } from '@acme/testing';
import { checkHistory, DEFAULT_BOUNDS } from './check/invariants';
import { runFaults } from './faults/fault-injector';
import { HistoryFile } from './history/history-file';
import type { MemoryRecord } from './history/records';
import { parseOptions, phases, USAGE, UsageError } from './options';
import { faultSchedule } from './plan/fault-schedule';
import { Prng } from './plan/prng';
import { renderPlot } from './report/plot';
import { renderReport } from './report/render';
import { perSecond, totals } from './report/summary';
import { ChaosSystem, EVENTS_EXCHANGE } from './system/chaos-system';
import { settle } from './system/settle';
import { publishPoison } from './workload/poison-message';
import { runVirtualClient } from './workload/virtual-client';

// `npm run chaos -- --minutes N --seed S`: builds (through Nx), starts the
// system, runs a seeded workload and fault schedule, lets it settle, checks
// the history against the invariants and writes the report. See docs/chaos.md.

const log = (line: string) => console.error(`[chaos] ${line}`);

/** Per virtual client: one request per interval at most, and a bound on the count whatever the length. */
const CLIENT_INTERVAL_MS = 50;
const MAX_REQUESTS_PER_CLIENT_MINUTE = 1_200;

const rssMb = (process: ServiceProcess) => processMemory(process.pid).rssKb / 1024;

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
    const originMs = Date.now();
    const untilMs = originMs + phase.totalMs;
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
      }),
    );
    // Memory when the faults may begin (after the warm-up), by process name.
    const memoryAtStart = delay(phase.faultsFromMs).then(() => new Map(chaos.processes().map((p) => [p.name, { pid: p.pid, mb: rssMb(p) }])));
    const faults = runFaults(chaos, schedule, originMs, phase.faultsUntilMs, (f) => {
      log(`fault ${f.id} ${f.kind} ${JSON.stringify(f.target)}: ${f.endMs - f.startMs} ms${f.error ? `, ${f.error}` : ''}`);
      history.fault(f);
    });
    const poison = delay(Math.max(0, originMs + poisonAtMs - Date.now())).then(async () => {
      const record = await publishPoison(chaos.vhost.url, EVENTS_EXCHANGE);
      log(`poisoned message ${record.messageId} (${record.type})${record.error ? `: ${record.error}` : ''}`);
      history.poison(record);
    });
    const [{ replaced, skipped }, start] = await Promise.all([faults, memoryAtStart, poison, ...clients]).then(([f, m]) => [f, m] as const);
    if (skipped.length > 0) log(`skipped ${skipped.length} faults: their target was still being repaired until too late in the run`);
    const memory: MemoryRecord[] = chaos.processes().flatMap((p) => {
      const before = start.get(p.name);
      if (!before) return [];
      return [{ process: p.name, startMb: before.mb, ...(p.running ? { endMb: rssMb(p) } : {}), restarted: replaced.has(p.name) || before.pid !== p.pid }];
    });
    log(`workload done: ${history.requests.length} requests; settling`);
    const deleted = [...new Set(history.requests.filter((r) => r.kind === 'delete-user' && r.userId && ((r.status >= 200 && r.status < 300) || r.status === 404)).map((r) => r.userId as string))];
    const { state, settledMs } = await settle(chaos, deleted, history.poisoned.filter((p) => !p.error).length);
    await history.close();

    const result = checkHistory(history.requests, history.faults, history.poisoned, state, memory, DEFAULT_BOUNDS);
    const counts = totals(history.requests);
    const report = renderReport({ seed: options.seed, minutes: options.minutes, runDir }, result, counts, memory, settledMs);
    writeFileSync(join(runDir, 'report.md'), report);
    writeFileSync(join(runDir, 'plot.svg'), renderPlot(perSecond(history.requests, originMs, Math.ceil(phase.totalMs / 1_000)), history.faults, originMs));
    writeFileSync(
      join(runDir, 'results.json'),
      `${JSON.stringify({ options, bounds: DEFAULT_BOUNDS, schedule, skipped: skipped.map((f) => f.id), poisoned: history.poisoned, faults: result.faults, totals: counts, memory, settled: { settledMs, orders: state.orders.length, deletedUsers: state.deletedUsers.length, pendingOutbox: state.pendingOutbox, deadLettered: state.deadLettered }, violations: result.violations }, null, 2)}\n`,
    );
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

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { appScript, loadAverage1, median, processMemory, type ServiceProcess, TEST_POSTGRES_ADMIN_URL, workspacePath } from '@acme/testing';
import { aggregate } from './aggregate';
import { variantPlan, type VariantPlan } from './load/variant-load';
import { measureColdStarts } from './measure/cold-start';
import { measureRun } from './measure/measure-run';
import { preflight } from './measure/preflight';
import { measureWire } from './measure/wire';
import { WriteLedger } from './measure/write-check';
import type { ColdStartResult, MemoryResult, RunResult, StreamingResult, WireResult } from './model';
import { parseOptions, USAGE, UsageError } from './options';
import { renderProfileSummaries } from './profile/summary-cli';
import { evaluateBudget, evaluateStreamingBudget } from './report/budget';
import { machineFacts } from './report/machine';
import { renderReport } from './report/render';
import { BUDGET_SUBJECTS, streamingPlan, VARIANTS } from './scenarios';
import { measureStreaming } from './streaming/measure-streaming';
import { type BenchSystem, type ProcessKey, startBenchSystem, systemOf, type TelemetryStack, telemetryOf } from './system/bench-system';
import { createBenchDatabases } from './system/databases';
import { startStreamingStack, type StreamingStack } from './system/streaming-stack';
import { ensureLoadGenerators } from './system/tools';

// `npm run bench`: builds (through Nx), then measures the product against
// the raw baseline on this machine and prints the tables. See docs/benchmarks.md.

const log = (line: string) => console.error(`[bench] ${line}`);

const BUILT = [
  appScript('user-service', 'serve'),
  appScript('order-service', 'serve'),
  appScript('api-gateway', 'serve'),
  workspacePath('bench/dist/baseline/user-server.js'),
];

/** A server that died during a run (e.g. killed from outside) is the real news, not the /proc read that failed because of it. */
async function measureRunOrExplain<T>(processes: readonly ServiceProcess[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    for (const process of processes) process.assertRunning();
    throw error;
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const began = performance.now();
  const missing = BUILT.filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')}. Run the benchmark with \`npm run bench\`, which builds first.`);
  ensureLoadGenerators(log);

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = workspacePath('bench/results', stamp);
  const logDir = join(runDir, 'logs');
  const workDir = join(runDir, 'work');
  const profileDir = options.profile ? join(runDir, 'profiles') : undefined;
  for (const dir of [logDir, workDir, profileDir]) if (dir) mkdirSync(dir, { recursive: true });

  const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await admin.connect();
  const machine = await machineFacts(admin);
  log(`load average ${machine.loadAverageAtStart.toFixed(1)} on ${machine.cores} cores; results in ${runDir}`);

  let databases: Awaited<ReturnType<typeof createBenchDatabases>> | undefined;
  let system: BenchSystem | undefined;
  let streamingStack: StreamingStack | undefined;
  let plans = new Map<string, VariantPlan>();
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await Promise.all([...plans.values()].map((plan) => plan.close?.()));
      await streamingStack?.stop();
      await system?.stop();
      await databases?.drop();
      await admin.end();
    })());
  const interrupt = () => {
    log('interrupted: stopping the servers and dropping the databases');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const runs: RunResult[] = [];
  let coldStarts: ColdStartResult[] = [];
  let wire: WireResult[] = [];
  const memory: MemoryResult[] = [];
  const writes = new WriteLedger();
  let writeChecks: { ok: boolean; line: string }[] = [];
  let streaming: StreamingResult | undefined;
  const loadAverages: number[] = [];
  let traceExports: { requests: number; bytes: number } | undefined;
  const variants = VARIANTS.filter((v) => options.scenarios.includes(v.scenario));
  try {
    // The request/response scenarios (everything but Streaming, which runs on a stack of its own below).
    if (variants.length > 0) {
      databases = await createBenchDatabases(options.users, log);
      const telemetry = [...new Set(variants.map((v) => v.telemetry ?? 'off'))].filter((mode): mode is TelemetryStack => mode !== 'off');
      system = await startBenchSystem(databases, { logDir, profileDir, telemetry }, log);
      const running = system;
      const facts = await preflight(running.ports, databases);
      log('preflight: every kind of call answers correctly');
      // The preflight wrote one order per CreateOrder path: gRPC and gateway to the product's database, one to the baseline's.
      writes.add(databases.productOrders.name, 2);
      writes.add(databases.baselineOrders.name, 1);

      if (options.coldStarts > 0) {
        log(`cold starts: ${options.coldStarts} fresh start(s) per server`);
        coldStarts = await measureColdStarts(running, ['user-service', 'order-service', 'api-gateway', 'baseline-user', 'baseline-order'], options.coldStarts, logDir, log);
      }

      const context = { ports: running.ports, databases, workDir };
      plans = new Map<string, VariantPlan>(variants.map((v) => [v.id, variantPlan(v, context)]));
      if (options.warmupS > 0) {
        const warmupConcurrency = Math.min(16, Math.max(...options.concurrency));
        for (const variant of variants) {
          log(`warm-up: ${variant.label}, ${options.warmupS} s at c=${warmupConcurrency}`);
          const plan = plans.get(variant.id) as VariantPlan;
          const outcome = await plan.load(warmupConcurrency, options.warmupS);
          if (plan.writesTo) writes.add(plan.writesTo, outcome.requests, variant.generator === 'wrk' ? warmupConcurrency : 0);
        }
      }
      const keys = Object.keys(running.processes) as ProcessKey[];
      const afterWarmup = new Map(keys.map((key) => [key, processMemory((running.processes[key] as ServiceProcess).pid).rssKb / 1024]));

      if (options.scenarios.includes('GetUser') && !options.profile) {
        wire = await measureWire(running.ports, databases, facts, workDir);
        log(`wire bytes per GetUser: ${wire.map((w) => `${w.protocol} ${Math.round(w.requestBytes)} up / ${Math.round(w.responseBytes)} down`).join('; ')}`);
      }

      for (const scenario of options.scenarios) {
        for (const concurrency of options.concurrency) {
          for (let round = 1; round <= options.rounds; round++) {
            for (const variant of variants.filter((v) => v.scenario === scenario)) {
              const plan = plans.get(variant.id) as VariantPlan;
              const path = plan.processes.map((key) => running.processes[key] as ServiceProcess);
              for (const server of path) server.assertRunning();
              const result = await measureRunOrExplain(path, () =>
                measureRun(
                  {
                    variant,
                    concurrency,
                    round,
                    processes: path.map((server) => ({ name: server.options.name, pid: server.pid })),
                    databases: plan.databases,
                    load: () => plan.load(concurrency, options.durationS),
                  },
                  admin,
                ),
              );
              runs.push(result);
              if (plan.writesTo) writes.add(plan.writesTo, result.requests, variant.generator === 'wrk' ? concurrency : 0);
              loadAverages.push(result.loadAverage);
              log(
                `${scenario} c=${concurrency} round ${round}/${options.rounds} ${variant.system}${variant.telemetry ? ` (telemetry ${variant.telemetry})` : ''}: ${Math.round(result.reqPerS)} req/s, ` +
                  `p99 ${(result.latencyUs.p99 / 1000).toFixed(2)} ms, ${Math.round(result.cpuUsPerReq)} µs CPU/req` +
                  (result.errors > 0 ? `, ${result.errors} ERRORS` : ''),
              );
            }
          }
        }
      }
      for (const key of keys) {
        const peaks = runs.map((r) => r.peakRssMb[key]).filter((v): v is number => v !== undefined);
        const atStarts = runs.map((r) => r.rssAtStartMb[key]).filter((v): v is number => v !== undefined);
        const warm = afterWarmup.get(key) ?? NaN;
        memory.push({
          service: key,
          system: systemOf(key),
          telemetry: telemetryOf(key),
          afterWarmupMb: median([warm, ...atStarts]),
          peakMb: Math.max(warm, ...peaks),
        });
      }
      const ordersIn = new Map<string, number>();
      for (const database of [databases.productOrders, databases.baselineOrders]) {
        const [row] = await database.query<{ n: string }>('SELECT count(*) AS n FROM orders');
        ordersIn.set(database.name, Number(row?.n));
      }
      writeChecks = writes.verdicts(ordersIn);
      for (const check of writeChecks) log(`writes check: ${check.line}`);
      const sink = running.otlpSink;
      traceExports = sink ? { requests: sink.requests, bytes: sink.bytes } : undefined;
      if (traceExports) log(`trace export: ${traceExports.requests} requests, ${traceExports.bytes} bytes`);
      await Promise.all([...plans.values()].map((plan) => plan.close?.()));
      plans = new Map();
      await running.stop();
    }

    if (options.scenarios.includes('Streaming')) {
      log('streaming: starting user-service and order-service on fresh databases');
      streamingStack = await startStreamingStack({ logDir, profileDir }, log);
      streaming = await measureRunOrExplain([streamingStack.userService, streamingStack.orderService], () =>
        measureStreaming(streamingStack as StreamingStack, streamingPlan(options), admin, workDir, log),
      );
      loadAverages.push(...streaming.loadAverages);
    }

    await cleanup();
    const rows = aggregate(variants, runs);
    const budget = [...evaluateBudget(rows, BUDGET_SUBJECTS, coldStarts, memory), ...(streaming ? evaluateStreamingBudget(streaming) : [])];
    const report = renderReport({
      options,
      machine,
      loadAverages: [...loadAverages, loadAverage1()],
      rows,
      wire,
      coldStarts,
      memory,
      budget,
      writeChecks,
      traceExports,
      streaming,
      elapsedS: (performance.now() - began) / 1000,
    });
    const profiles = profileDir ? renderProfileSummaries([profileDir]) : '';
    writeFileSync(join(runDir, 'results.json'), JSON.stringify({ options, machine, runs, rows, wire, coldStarts, memory, budget, writeChecks, streaming }, null, 2));
    writeFileSync(join(runDir, 'report.md'), `${report}\n${profiles ? `\n### CPU profiles\n\n${profiles}\n` : ''}`);
    console.log(report);
    if (profiles) console.log(`\n### CPU profiles (${profileDir})\n\n${profiles}`);
    // The servers' logs (the gateway's access log grows by megabytes) only matter when something failed.
    rmSync(logDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
    log(`raw figures: ${join(runDir, 'results.json')}`);
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`[bench] ${error.message}`);
    process.exit(2);
  }
  console.error(`[bench] failed (the servers' logs are kept under bench/results/<run>/logs): ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
});

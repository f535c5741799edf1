import { readFileSync } from 'node:fs';
import { connect, type ClientHttp2Session } from 'node:http2';
import { grpcFrame, summarizeLatencies } from '@acme/testing';
import { GRPC_CALLS, ORDER_ITEMS } from '../load/grpc-messages';
import { rawUnaryCall } from '../load/raw-unary-call';
import { monotonicUs } from './clock';
import type { WrittenChange } from './deliveries';
import { operationsIn, runOpenLoop } from './pacing';

// Order changes at a fixed rate, open loop (pacing.ts): CreateOrder for the
// watched users in turn, and CancelOrder of the oldest order created and not
// yet cancelled, alternately. Each change that returned OK is logged with
// when it was sent and when its answer came back (monotonic µs), so the bench
// can time each delivery to the watchers. Run as a child process:
// `node change-writer.js <config.json>`; prints one JSON line.

export interface ChangeWriterConfig {
  /** http://host:port of order-service. */
  readonly origin: string;
  /** The users whose orders change (they must exist: CreateOrder asks user-service). */
  readonly userIds: readonly string[];
  readonly ratePerS: number;
  readonly durationMs: number;
  /** Idempotency keys are `${keyPrefix}-${n}`: every CreateOrder writes. */
  readonly keyPrefix: string;
  readonly connections: number;
  /** grpc-timeout of every call, e.g. '10S'. */
  readonly timeout: string;
}

export interface ChangeWriterResult {
  readonly changes: WrittenChange[];
  readonly operations: number;
  readonly failed: number;
  readonly errorSample?: string;
  /** From the first change sent to the last answer. */
  readonly elapsedMs: number;
  /** How late the loop sent changes (ms): large figures mean the writer, not the server, fell behind. */
  readonly latenessMs: { readonly p99: number; readonly max: number };
  /** Calls in flight at once, at most (open loop: it grows when the server slows). */
  readonly maxInFlight: number;
  /** The writer's own CPU during the run (process.cpuUsage), not its start-up. */
  readonly cpuUs: number;
}

export async function writeChanges(config: ChangeWriterConfig): Promise<ChangeWriterResult> {
  const sessions = await Promise.all(
    Array.from({ length: config.connections }, () =>
      new Promise<ClientHttp2Session>((resolve, reject) => {
        const session = connect(config.origin);
        session.once('connect', () => resolve(session));
        session.once('error', reject);
      }),
    ),
  );
  const changes: WrittenChange[] = [];
  const open: { orderId: string; userId: string }[] = [];
  const inFlight = new Set<Promise<void>>();
  let maxInFlight = 0;
  let failed = 0;
  let errorSample: string | undefined;
  let creates = 0;

  const fire = (index: number) => {
    const session = sessions[index % sessions.length] as ClientHttp2Session;
    const cancel = index % 2 === 1 ? open.shift() : undefined;
    const userId = cancel?.userId ?? (config.userIds[creates++ % config.userIds.length] as string);
    const body = cancel
      ? grpcFrame(GRPC_CALLS.cancelOrder.request.serialize({ id: cancel.orderId }))
      : grpcFrame(GRPC_CALLS.createOrder.request.serialize({ userId, items: ORDER_ITEMS, idempotencyKey: `${config.keyPrefix}-${index}` }));
    const path = cancel ? GRPC_CALLS.cancelOrder.path : GRPC_CALLS.createOrder.path;
    const sentUs = monotonicUs();
    const call = rawUnaryCall(session, path, body, config.timeout).then(({ error, message }) => {
      const returnedUs = monotonicUs();
      inFlight.delete(call);
      if (error !== undefined || !message) {
        failed++;
        errorSample ??= error;
        return;
      }
      const orderId = cancel?.orderId ?? GRPC_CALLS.createOrder.response.deserialize(message).id;
      changes.push({ orderId, kind: cancel ? 'CANCELLED' : 'CREATED', userId, sentUs, returnedUs });
      if (!cancel) open.push({ orderId, userId });
    });
    inFlight.add(call);
    maxInFlight = Math.max(maxInFlight, inFlight.size);
  };

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const operations = operationsIn(config.durationMs, config.ratePerS);
  const lateness = await runOpenLoop({ ratePerS: config.ratePerS, operations, fire });
  while (inFlight.size > 0) await Promise.all([...inFlight]);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await Promise.all(sessions.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  const late = summarizeLatencies(lateness);
  return { changes, operations, failed, errorSample, elapsedMs, latenessMs: { p99: late.p99, max: late.max }, maxInFlight, cpuUs: cpu.user + cpu.system };
}

if (require.main === module) {
  const config = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as ChangeWriterConfig;
  writeChanges(config).then(
    (result) => process.stdout.write(`BENCH_CHANGES ${JSON.stringify(result)}\n`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

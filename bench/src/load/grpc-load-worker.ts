import { connect, type ClientHttp2Session } from 'node:http2';
import { readFileSync } from 'node:fs';
import { rawUnaryCall } from './raw-unary-call';

// A closed-loop gRPC load generator over raw HTTP/2, for calls that h2load
// cannot make: every CreateOrder needs its own idempotency key, so each
// request body is a template with the key's counter digits patched in.
// Raw node:http2 costs far less CPU per call than a @grpc/grpc-js client,
// which would otherwise compete with the servers for the machine's cores.
// Run as a child process: `node grpc-load-worker.js <config.json>`; prints
// one JSON line with its figures.

export interface GrpcLoadConfig {
  /** http://host:port of the gRPC server. */
  readonly origin: string;
  /** /package.Service/Method */
  readonly path: string;
  /** Length-prefixed request messages, base64; request i uses template i mod n. */
  readonly templates: readonly string[];
  /** Where, in every template, the decimal counter digits start, and how many there are. */
  readonly counterOffset: number;
  readonly counterWidth: number;
  readonly connections: number;
  readonly concurrency: number;
  readonly durationMs: number;
  /** Sent as grpc-timeout on every call, e.g. '10S'. */
  readonly timeout: string;
  /** Stop after sending this many calls (or when durationMs is up, whichever comes first). */
  readonly requests?: number;
}

export interface GrpcLoadResult {
  readonly completed: number;
  readonly failed: number;
  readonly errorSample?: string;
  readonly elapsedMs: number;
  readonly latenciesUs: number[];
}

export async function runLoad(config: GrpcLoadConfig): Promise<GrpcLoadResult> {
  const templates = config.templates.map((t) => Buffer.from(t, 'base64'));
  const sessions = await Promise.all(
    Array.from({ length: config.connections }, () =>
      new Promise<ClientHttp2Session>((resolve, reject) => {
        const session = connect(config.origin);
        session.once('connect', () => resolve(session));
        session.once('error', reject);
      }),
    ),
  );
  const latenciesUs: number[] = [];
  let counter = 0;
  let failed = 0;
  let errorSample: string | undefined;
  const started = performance.now();
  const stopAt = started + config.durationMs;

  const nextBody = (): Buffer => {
    const template = templates[counter % templates.length] as Buffer;
    const body = Buffer.from(template);
    body.write(String(counter).padStart(config.counterWidth, '0'), config.counterOffset, config.counterWidth, 'latin1');
    counter++;
    return body;
  };

  const loop = async (index: number) => {
    const session = sessions[index % sessions.length] as ClientHttp2Session;
    while (performance.now() < stopAt && (config.requests === undefined || counter < config.requests)) {
      const sent = performance.now();
      const { error } = await rawUnaryCall(session, config.path, nextBody(), config.timeout);
      if (error === undefined) latenciesUs.push(Math.round((performance.now() - sent) * 1000));
      else {
        failed++;
        errorSample ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, (_, i) => loop(i)));
  const elapsedMs = performance.now() - started;
  await Promise.all(sessions.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  if (counter >= 10 ** config.counterWidth) throw new Error('the idempotency key counter overflowed its width');
  return { completed: latenciesUs.length, failed, errorSample, elapsedMs, latenciesUs };
}

if (require.main === module) {
  const config = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as GrpcLoadConfig;
  runLoad(config).then(
    (result) => process.stdout.write(`BENCH_GRPC_LOAD ${JSON.stringify(result)}\n`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

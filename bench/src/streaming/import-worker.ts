import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, constants, type IncomingHttpHeaders } from 'node:http2';
import { grpcFrame } from '@acme/testing';
import { GrpcMessageReader } from '../load/grpc-message-reader';
import { GRPC_CALLS } from '../load/grpc-messages';

// One ImportUsers stream of `count` new users, as fast as the server takes
// them: the requests are encoded before the clock starts, then written in
// chunks, waiting whenever HTTP/2 flow control says the server has not read
// what was sent (the server reads a batch, writes it, reads on). Run as a
// child process: `node import-worker.js <config.json>`; prints one JSON line.

export interface ImportWorkerConfig {
  /** http://host:port of user-service. */
  readonly origin: string;
  readonly count: number;
  /** User i gets `${emailPrefix}-${i}@example.com`. */
  readonly emailPrefix: string;
  /** grpc-timeout of the call, e.g. '300S'. */
  readonly timeout: string;
}

export interface ImportWorkerResult {
  readonly grpcStatus: string;
  readonly grpcMessage: string;
  readonly created: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly failureSample?: string;
  /** From the first byte sent to the answer. */
  readonly elapsedMs: number;
  /** The worker's own CPU from the first byte sent to the answer. */
  readonly cpuUs: number;
}

/** Frames written per stream.write (each is a few dozen bytes). */
const FRAMES_PER_WRITE = 256;

export async function importUsers(config: ImportWorkerConfig): Promise<ImportWorkerResult> {
  const chunks: Buffer[] = [];
  for (let first = 0; first < config.count; first += FRAMES_PER_WRITE) {
    const frames: Buffer[] = [];
    for (let i = first; i < Math.min(config.count, first + FRAMES_PER_WRITE); i++) {
      frames.push(grpcFrame(GRPC_CALLS.importUsers.request.serialize({ user: { email: `${config.emailPrefix}-${i}@example.com`, name: `Import User ${i}`, idempotencyKey: '' } })));
    }
    chunks.push(Buffer.concat(frames));
  }
  const session = connect(config.origin);
  await once(session, 'connect');
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const stream = session.request({
    [constants.HTTP2_HEADER_METHOD]: 'POST',
    [constants.HTTP2_HEADER_PATH]: GRPC_CALLS.importUsers.path,
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-timeout': config.timeout,
  });
  let grpcStatus = '';
  let grpcMessage = '';
  const readStatus = (headers: IncomingHttpHeaders) => {
    if (headers['grpc-status'] === undefined) return;
    grpcStatus = String(headers['grpc-status']);
    grpcMessage = decodeURIComponent(String(headers['grpc-message'] ?? ''));
  };
  stream.on('response', readStatus);
  stream.on('trailers', readStatus);
  const reader = new GrpcMessageReader();
  const messages: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => messages.push(...reader.push(chunk)));
  const closed = once(stream, 'close');
  stream.on('error', (error) => (grpcMessage ||= error.message));
  for (const chunk of chunks) {
    if (stream.destroyed) break; // answered early (an error): the trailers say why
    if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), closed]);
  }
  stream.end();
  await closed;
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  session.close();
  const answer = messages[0] ? GRPC_CALLS.importUsers.response.deserialize(messages[0]) : undefined;
  const firstFailure = answer?.failed[0];
  return {
    grpcStatus,
    grpcMessage,
    created: Number(answer?.created ?? 0),
    unchanged: Number(answer?.unchanged ?? 0),
    failed: answer?.failed.length ?? 0,
    failureSample: firstFailure ? `item ${firstFailure.index}: ${firstFailure.code} ${firstFailure.message}` : undefined,
    elapsedMs,
    cpuUs: cpu.user + cpu.system,
  };
}

if (require.main === module) {
  const config = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as ImportWorkerConfig;
  importUsers(config).then(
    (result) => process.stdout.write(`BENCH_IMPORT ${JSON.stringify(result)}\n`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { orderV1 } from '@acme/contracts';
import { grpcFrame } from '@acme/testing';
import { GrpcMessageReader } from '../load/grpc-message-reader';
import { GRPC_CALLS } from '../load/grpc-messages';
import { monotonicUs } from './clock';
import type { ChangeKind, Delivery } from './deliveries';

// WatchOrders clients in a process of their own (forked by WatcherFleet),
// so decoding thousands of streams does not share an event loop with the
// bench or with the change writer. Raw node:http2 with the generated codecs:
// a stream costs the client a few kB, not a grpc-js call's machinery.
// Driven over IPC: open more watchers, start recording, count, report, close.

export type WatchCommand =
  | { readonly type: 'open'; readonly origin: string; readonly userIds: readonly string[] }
  | { readonly type: 'record' }
  | { readonly type: 'count' }
  | { readonly type: 'report' }
  | { readonly type: 'close' };

export type WatchReply =
  | { readonly type: 'opened'; readonly watchers: number; readonly connections: number; readonly streamsPerConnection: number }
  | { readonly type: 'count'; readonly deliveries: number }
  | {
      readonly type: 'report';
      readonly deliveries: Delivery[];
      /** Updates whose resume token was not above the watcher's previous one. */
      readonly outOfOrder: number;
      /** Changes received before recording started (none should come while streams are only held). */
      readonly unrecorded: number;
      /** Streams the server ended, with the first one's status. */
      readonly ended: number;
      readonly endedSample?: string;
    }
  | { readonly type: 'closed' }
  | { readonly type: 'failed'; readonly error: string };

const Kind = orderV1.OrderUpdate_Kind;
const KIND_NAMES: Partial<Record<orderV1.OrderUpdate_Kind, ChangeKind>> = { [Kind.CREATED]: 'CREATED', [Kind.CANCELLED]: 'CANCELLED' };

interface Connection {
  readonly session: ClientHttp2Session;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS (GRPC_MAX_CONCURRENT_STREAMS). */
  readonly limit: number;
  streams: number;
}

interface Watcher {
  readonly stream: ClientHttp2Stream;
  lastSeq: bigint;
  /** Closed by us: its end is not the server's doing. */
  cancelled: boolean;
}

const connections: Connection[] = [];
const watchers: Watcher[] = [];
const deliveries: Delivery[] = [];
let recording = false;
let outOfOrder = 0;
let unrecorded = 0;
let ended = 0;
let endedSample: string | undefined;

async function connectionWithRoom(origin: string): Promise<Connection> {
  const open = connections.find((c) => c.streams < c.limit);
  if (open) return open;
  const session = connect(origin);
  session.on('error', () => undefined); // surfaces as the streams' close
  await new Promise<void>((resolve, reject) => {
    session.once('remoteSettings', () => resolve());
    session.once('error', reject);
  });
  const connection = { session, limit: session.remoteSettings.maxConcurrentStreams ?? 100, streams: 0 };
  connections.push(connection);
  return connection;
}

/** Opens one watcher per user id (repeats watch the same user twice) and resolves when every one has its snapshot. */
async function open(origin: string, userIds: readonly string[]): Promise<void> {
  const snapshots: Promise<void>[] = [];
  for (const userId of userIds) {
    const connection = await connectionWithRoom(origin);
    connection.streams++;
    const index = watchers.length;
    const stream = connection.session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: GRPC_CALLS.watchOrders.path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const watcher: Watcher = { stream, lastSeq: 0n, cancelled: false };
    watchers.push(watcher);
    snapshots.push(
      new Promise<void>((resolve, reject) => {
        const reader = new GrpcMessageReader();
        let status = '';
        const readStatus = (headers: IncomingHttpHeaders) => {
          if (headers['grpc-status'] !== undefined) status = `grpc-status ${headers['grpc-status']} ${decodeURIComponent(String(headers['grpc-message'] ?? ''))}`;
        };
        stream.on('response', readStatus);
        stream.on('trailers', readStatus);
        stream.on('data', (chunk: Buffer) => {
          const receivedUs = monotonicUs();
          for (const message of reader.push(chunk)) {
            const update = GRPC_CALLS.watchOrders.response.deserialize(message);
            if (update.kind === Kind.SNAPSHOT_END) resolve();
            const kind = KIND_NAMES[update.kind];
            if (!kind) continue;
            const seq = BigInt(update.resumeToken);
            if (seq <= watcher.lastSeq) outOfOrder++;
            watcher.lastSeq = seq;
            if (recording) deliveries.push([update.order?.id ?? '', kind, index, receivedUs]);
            else unrecorded++;
          }
        });
        stream.on('error', () => undefined); // the close below says what happened
        stream.on('close', () => {
          if (watcher.cancelled) return;
          ended++;
          endedSample ??= `watcher ${index} (user ${userId}): ${status || `stream closed (RST ${stream.rstCode ?? '-'})`}`;
          reject(new Error(`the stream of watcher ${index} ended before its snapshot: ${endedSample}`));
        });
      }),
    );
    stream.end(grpcFrame(GRPC_CALLS.watchOrders.request.serialize({ userId, resumeToken: '' })));
  }
  await Promise.all(snapshots);
}

/**
 * Cancels every stream (RST_STREAM CANCEL, as a client that goes away),
 * closes the connections, and starts afresh: what was recorded goes too.
 */
async function close(): Promise<void> {
  for (const watcher of watchers) {
    watcher.cancelled = true;
    watcher.stream.close(constants.NGHTTP2_CANCEL);
  }
  await Promise.all(connections.map((c) => new Promise<void>((resolve) => c.session.close(() => resolve()))));
  watchers.length = 0;
  connections.length = 0;
  deliveries.length = 0;
  recording = false;
  outOfOrder = 0;
  unrecorded = 0;
  ended = 0;
  endedSample = undefined;
}

const reply = (message: WatchReply): void => {
  process.send?.(message);
};

async function handle(command: WatchCommand): Promise<void> {
  try {
    switch (command.type) {
      case 'open':
        await open(command.origin, command.userIds);
        return reply({ type: 'opened', watchers: watchers.length, connections: connections.length, streamsPerConnection: connections[0]?.limit ?? 0 });
      case 'record':
        recording = true;
        return reply({ type: 'count', deliveries: deliveries.length });
      case 'count':
        return reply({ type: 'count', deliveries: deliveries.length });
      case 'report':
        return reply({ type: 'report', deliveries, outOfOrder, unrecorded, ended, endedSample });
      case 'close':
        await close();
        return reply({ type: 'closed' });
    }
  } catch (error) {
    reply({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
  }
}

if (require.main === module) {
  process.on('message', (command: WatchCommand) => void handle(command));
  process.on('disconnect', () => process.exit(0));
}

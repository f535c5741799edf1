import { PassThrough, type Readable } from 'node:stream';
import { clone, type Message } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { grpcStatusOf, type ServerStream, StreamCapacityReached, toEdgeJson } from '@acme/grpc-kit';
import { GATEWAY_CONFIG, type GatewayConfig, sseHeartbeatMs } from '../config';
import { GatewayOverloaded } from '../http/abuse-limits';
import { ProblemFilter } from '../http/problem.filter';
import type { RestRoute } from '../rest/rest-routes';
import { UpstreamFailure } from '../upstreams/upstream-failure';
import { EVENT_STREAM_CONTENT_TYPE, sseComment, sseEvent } from './sse-frames';

/** Opens the route's server stream for one request (the upstream client's method, rules checked). */
export type OpenStream = (request: Message) => ServerStream<Message>;

/** Waits before reopening an upstream stream, per failed attempt in a row: 100 ms, doubling, at most 2 s. */
const reopenDelayMs = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), 2_000);

/**
 * A server-streaming RPC as Server-Sent Events: each message one event (its
 * edge JSON, as a unary answer would be, with its resume token as the event
 * id), a heartbeat comment every sseHeartbeatMs. The HTTP status is decided when the
 * upstream has accepted the call: before that, a refusal is an ordinary
 * problem+json answer with the status of the one gRPC->HTTP table; after,
 * the stream ends with an `error` event carrying that problem document.
 *
 * An upstream stream that ends UNAVAILABLE (its replica stopped, crashed or
 * sent GOAWAY) is reopened with the last event id sent, on whichever replica
 * answers, up to SSE_RECONNECT_ATTEMPTS times in a row with backoff: the
 * client sees nothing but the next change. Without an id yet (the snapshot
 * was cut), it starts over and the snapshot is sent again. When every
 * attempt fails (the upstream is down), the error event ends the stream and
 * the client's EventSource reconnects with Last-Event-ID later.
 *
 * The client reading slower than the changes come holds the upstream stream
 * (nothing more is pulled while the answer's buffer is full), so the
 * upstream's own slow-reader limit ends it (RESOURCE_EXHAUSTED); the gateway
 * holds one buffer per stream. A client that goes away cancels the upstream
 * call; a shutdown ends every stream (the clients reconnect elsewhere).
 */
@Injectable()
export class SseRelay implements BeforeApplicationShutdown {
  private readonly logger = new Logger('ServerSentEvents');
  private readonly problems = new ProblemFilter(() => PinoLogger.root);
  private readonly live = new Set<() => void>();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  /**
   * Opens the stream for `request` and, once the upstream accepted it, gives
   * the event stream to send as the answer (Fastify pipes it); throws what
   * the problem filter answers when the upstream refused.
   */
  async relay(route: RestRoute, open: OpenStream, request: Message, http: FastifyRequest, reply: FastifyReply): Promise<Readable> {
    const first = openOrRefuse(open, request, route);
    await first.accepted;
    const body = new PassThrough();
    void reply.header('content-type', EVENT_STREAM_CONTENT_TYPE).header('cache-control', 'no-cache').header('x-accel-buffering', 'no');
    // The headers leave with the first bytes: a resumed watch may have no event for a while.
    body.write(sseComment('ping'));
    void this.pump(route, open, request, first, body, http);
    return body;
  }

  beforeApplicationShutdown(): void {
    if (this.live.size > 0) this.logger.log(`ending ${this.live.size} event streams: their clients reconnect (to another replica) with Last-Event-ID`);
    for (const end of [...this.live]) end();
  }

  private async pump(route: RestRoute, open: OpenStream, request: Message, first: ServerStream<Message>, body: PassThrough, http: FastifyRequest): Promise<void> {
    const eventId = route.resume?.eventId.localName;
    let lastId = route.resume ? String((request as unknown as Record<string, unknown>)[route.resume.request.localName] ?? '') : '';
    let stream = first;
    const closed = new AbortController();
    const end = () => {
      closed.abort();
      stream.cancel();
    };
    // Fastify destroys the answer's stream when the client goes away; ending it ourselves closes it too.
    body.once('close', end);
    this.live.add(end);
    // Writes after the client left fail quietly; `closed` stops the rest.
    body.on('error', () => undefined);
    const heartbeat = setInterval(() => {
      if (!closed.signal.aborted && !body.writableNeedDrain) body.write(sseComment('ping'));
    }, sseHeartbeatMs(this.config));
    let attempts = 0;
    try {
      for (;;) {
        let failure: unknown;
        try {
          for await (const message of stream) {
            const id = eventId ? String((message as unknown as Record<string, unknown>)[eventId]) : '';
            const room = body.write(sseEvent({ data: JSON.stringify(toEdgeJson(route.method.output, message)), ...(id ? { id } : {}) }));
            if (id) lastId = id;
            if (!room) await drained(body, closed.signal);
            if (closed.signal.aborted) break;
          }
        } catch (error) {
          failure = error;
        }
        if (closed.signal.aborted || failure === undefined) return;
        if (statusOf(failure) === status.UNAVAILABLE && attempts < this.config.SSE_RECONNECT_ATTEMPTS) {
          attempts++;
          this.logger.debug(`${route.method.name} stream ended UNAVAILABLE; reopening it from ${lastId || 'a snapshot'} (attempt ${attempts})`);
          await delay(reopenDelayMs(attempts), closed.signal);
          if (closed.signal.aborted) return;
          try {
            stream = openOrRefuse(open, route.resume ? withField(route, request, lastId) : request, route);
            // Accepted again: the next failure starts a new count.
            stream.accepted.then(() => (attempts = 0), () => undefined);
            continue;
          } catch (error) {
            failure = error;
          }
        }
        if (!closed.signal.aborted) body.write(sseEvent({ event: 'error', data: JSON.stringify(this.problems.problemOf(failure, http).problem) }));
        return;
      }
    } finally {
      clearInterval(heartbeat);
      this.live.delete(end);
      stream.cancel();
      body.end();
    }
  }
}

/** The upstream status a relayed stream failed with. */
const statusOf = (failure: unknown) => grpcStatusOf(failure instanceof UpstreamFailure ? failure.cause : failure);

/** `open(request)`, with the stream slots all taken answered 503 (a gateway limit, not the upstream's). */
function openOrRefuse(open: OpenStream, request: Message, route: RestRoute): ServerStream<Message> {
  try {
    return open(request);
  } catch (error) {
    if (error instanceof StreamCapacityReached) {
      throw new GatewayOverloaded(`this gateway already holds its ${error.maxOpen} ${route.method.name} streams; retry after the Retry-After delay (or through another replica)`);
    }
    throw error;
  }
}

/** The request again, resuming from `token`. */
function withField(route: RestRoute, request: Message, token: string): Message {
  const copy = clone(route.method.input, request);
  (copy as unknown as Record<string, unknown>)[route.resume?.request.localName ?? ''] = token;
  return copy;
}

/** Resolves once `body` has room again or `signal` aborts, leaving no listener behind. */
function drained(body: PassThrough, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      body.off('drain', done);
      body.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    body.on('drain', done);
    body.on('close', done);
    signal.addEventListener('abort', done);
  });
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

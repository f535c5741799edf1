import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import {
  type ChannelCredentials,
  type Client,
  type ClientReadableStream,
  type ClientWritableStream,
  makeGenericClientConstructor,
  Metadata,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import { grpcServiceDefinition, type MethodsOf, type RequestInitOf, type ResponseOf } from '@acme/contracts';
import { currentCallContext, REQUEST_ID_KEY, requestIdFrom } from '../context/call-context';
import { clientChannelOptions, type RetryPolicy } from './client-channel-options';
import { outgoingDeadline } from './deadline';
import { retryableMethodsOf } from './retryable-methods';
import { type StreamChannelLimits, StreamChannels } from './stream-channels';
import { RpcDurations } from '../metrics/rpc-metrics';
import { AUTHORIZATION_KEY } from '../identity/call-authorization';

export interface UpstreamOptions<S extends DescService> {
  /** gRPC target, e.g. dns:///user-service:50051 (all replicas, round_robin). */
  readonly target: string;
  /** The generated service, e.g. SERVICES.user from @acme/contracts. */
  readonly service: S;
  /** Deadline budget per unary call unless the caller passes its own. */
  readonly deadlineMs: number;
  /**
   * Deadline budget of a client stream (an import: bounded, but longer than
   * a unary call); default deadlineMs. A server stream (a watch) is
   * long-lived and has no deadline unless the call passes one.
   */
  readonly clientStreamDeadlineMs?: number;
  /**
   * Streaming calls get channels of their own, sized by these limits (see
   * StreamChannels); without them they share the unary calls' channel.
   */
  readonly streams?: StreamChannelLimits;
  /**
   * Retries on UNAVAILABLE for the RPCs the proto declares safe to repeat
   * (see retryableMethodsOf), with this policy; `false` never retries (tests
   * that must see exactly what a server answers).
   */
  readonly retry?: RetryPolicy | false;
  /**
   * The access token of a client acting as itself (a job, a test with its
   * own client credentials), sent when the call being handled has no caller
   * of its own to forward.
   */
  readonly bearerToken?: string;
  /** The process's GRPC_CHANNEL_CREDENTIALS: its certificate with mTLS on, plaintext otherwise. */
  readonly credentials: ChannelCredentials;
}

export interface CallOptions {
  /** Overrides the upstream's default deadline budget for this call. */
  readonly deadlineMs?: number;
}

/**
 * A server stream as its caller reads it: the messages, in order, until the
 * server ends the call (the iteration throws the call's error, a
 * ServiceError, unless it ended OK). Leaving the iteration early (break,
 * return, throw) cancels the call.
 */
export interface ServerStream<T> extends AsyncIterable<T> {
  /**
   * Settles once the server has accepted the call: resolves when its response
   * headers arrive (with or before the first message), rejects with the
   * call's error if it ended without them (refused at once).
   */
  readonly accepted: Promise<void>;
  /** Ends the call from the client's side (CANCELLED); the iteration then ends too. */
  cancel(): void;
}

type Kind<S extends DescService, K extends keyof MethodsOf<S>> = MethodsOf<S>[K]['methodKind'];

/**
 * Service S's client: each RPC by its generated name, shaped by its streaming
 * kind in the proto: a unary RPC `(request, options?) => Promise<response>`,
 * a server stream `(request, options?) => ServerStream<response>`, a client
 * stream `(requests: AsyncIterable, options?) => Promise<response>`
 * (bidirectional streams are used by no service).
 */
export type Upstream<S extends DescService> = {
  [K in keyof MethodsOf<S> as Kind<S, K> extends 'bidi_streaming' ? never : K]: Kind<S, K> extends 'server_streaming'
    ? (request: RequestInitOf<S, K>, options?: CallOptions) => ServerStream<ResponseOf<S, K>>
    : Kind<S, K> extends 'client_streaming'
      ? (requests: AsyncIterable<RequestInitOf<S, K>>, options?: CallOptions) => Promise<ResponseOf<S, K>>
      : (request: RequestInitOf<S, K>, options?: CallOptions) => Promise<ResponseOf<S, K>>;
} & { close(): void };

/**
 * A client for one upstream gRPC service over one long-lived channel, created
 * once at startup, with the generated codecs (and, with `streams`, channels of
 * their own for its streams). Every call carries the request id of the call
 * being handled and its caller's access token; every unary and client-stream
 * call a deadline (see outgoingDeadline).
 */
export function createUpstreamClient<S extends DescService>(options: UpstreamOptions<S>): Upstream<S> {
  const { service } = options;
  const definition = grpcServiceDefinition(service);
  const Constructor = makeGenericClientConstructor(definition, service.typeName);
  const channelOptions = clientChannelOptions(service.typeName, options.retry === false ? [] : retryableMethodsOf(service), options.retry || undefined);
  const client: Client = new Constructor(options.target, options.credentials, channelOptions);
  const streamChannels =
    options.streams &&
    new StreamChannels(service.typeName, options.streams, () => new Constructor(options.target, options.credentials, { ...channelOptions, 'grpc.use_local_subchannel_pool': 1 }));
  /** The channel a stream goes on, and what to call when it ends. */
  const streamChannel = () => streamChannels?.acquire() ?? { client, release: () => undefined };
  const upstream: Record<string, unknown> = {
    close: () => {
      client.close();
      streamChannels?.close();
    },
  };
  const durations = new RpcDurations('client');
  const metadata = () => {
    const sent = new Metadata();
    const context = currentCallContext();
    sent.set(REQUEST_ID_KEY, requestIdFrom(context?.requestId));
    // The caller's own token: the next service verifies it and decides for itself.
    const token = context?.caller?.token ?? options.bearerToken;
    if (token !== undefined) sent.set(AUTHORIZATION_KEY, `Bearer ${token}`);
    return sent;
  };
  for (const { name, localName, methodKind } of service.methods) {
    const method = definition[name];
    if (!method) continue;
    if (methodKind === 'unary') {
      upstream[localName] = (request: unknown, callOptions?: CallOptions) => {
        const deadline = outgoingDeadline(callOptions?.deadlineMs ?? options.deadlineMs, service.typeName);
        const started = performance.now();
        return new Promise((resolve, reject) =>
          client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata(), { deadline }, (error: ServiceError | null, response?: unknown) => {
            // Retries included: the duration and final status the caller saw.
            durations.record(method.path, error ? error.code : status.OK, performance.now() - started);
            if (error) reject(error);
            else resolve(response);
          }),
        );
      };
    } else if (methodKind === 'server_streaming') {
      upstream[localName] = (request: unknown, callOptions?: CallOptions): ServerStream<unknown> => {
        const deadline = outgoingDeadline(callOptions?.deadlineMs ?? Infinity, service.typeName);
        const channel = streamChannel();
        const started = performance.now();
        const call = channel.client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata(), { deadline });
        call.on('status', ({ code }: { code: status }) => {
          channel.release();
          durations.record(method.path, code, performance.now() - started);
        });
        return serverStream(call);
      };
    } else if (methodKind === 'client_streaming') {
      upstream[localName] = async (requests: AsyncIterable<unknown>, callOptions?: CallOptions) => {
        const deadline = outgoingDeadline(callOptions?.deadlineMs ?? options.clientStreamDeadlineMs ?? options.deadlineMs, service.typeName);
        const channel = streamChannel();
        const started = performance.now();
        let call!: ClientWritableStream<unknown>;
        const answer = new Promise((resolve, reject) => {
          call = channel.client.makeClientStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, metadata(), { deadline }, (error: ServiceError | null, response?: unknown) => {
            channel.release();
            durations.record(method.path, error ? error.code : status.OK, performance.now() - started);
            if (error) reject(error);
            else resolve(response);
          });
        });
        await writeAll(call, requests, answer);
        return answer;
      };
    }
  }
  return upstream as Upstream<S>;
}

/** `call`'s messages as an async iterable that cancels the call when left early; `accepted` from its response headers. */
function serverStream(call: ClientReadableStream<unknown>): ServerStream<unknown> {
  let finished = false;
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    call.on('error', (error: ServiceError) => resolve(error));
    call.on('status', ({ code }: { code: status }) => code === status.OK && resolve(undefined));
  }).finally(() => (finished = true));
  const accepted = new Promise<void>((resolve, reject) => {
    call.on('metadata', () => resolve());
    void ended.then((error) => (error ? reject(error) : resolve()));
  });
  // Read by whoever cares; a refusal also surfaces from the iteration.
  accepted.catch(() => undefined);
  return {
    accepted,
    cancel: () => call.cancel(),
    async *[Symbol.asyncIterator]() {
      try {
        // A grpc-js call is an object-mode Readable; its iteration throws the call's error.
        for await (const message of call) yield message;
        const error = await ended;
        if (error) throw error;
      } finally {
        if (!finished) call.cancel();
      }
    },
  };
}

/**
 * Writes what `requests` yields to `call`, pulling the next item only when
 * the call's buffer has room (so the source is read no faster than the
 * upstream takes it), then half-closes. Stops as soon as the call ends early
 * (the server answered, or the deadline passed), also while it waits for the
 * source; a source that throws cancels the call, and the caller gets the
 * source's error.
 */
async function writeAll(call: ClientWritableStream<unknown>, requests: AsyncIterable<unknown>, answer: Promise<unknown>): Promise<void> {
  const settled = new AbortController();
  void answer.then(
    () => settled.abort(),
    () => settled.abort(),
  );
  const iterator = requests[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const pending = iterator.next();
      // Still pending when the call ended: it settles when the source does, and is nobody's to report.
      pending.catch(() => undefined);
      const next = await orSettled(pending, settled.signal);
      if (next === SETTLED || next.done) {
        finished = next !== SETTLED;
        break;
      }
      if (!call.write(next.value) && (await orSettled(once(call, 'drain'), settled.signal)) === SETTLED) break;
    }
  } catch (error) {
    finished = true;
    call.cancel();
    await answer.catch(() => undefined);
    throw error;
  } finally {
    // A source left early is returned (its finally blocks run once its pending read settles).
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
  // Only a source read to its end is a complete stream: a half-close after the call ended (its deadline) could still
  // reach the server first and pass for one, and the server would commit what it had.
  if (finished) call.end();
}

const SETTLED = Symbol('settled');

/**
 * `promise`, or SETTLED as soon as `signal` aborts, leaving no listener on
 * the signal either way (racing every wait against one long-lived promise
 * would hang a reaction on it per item, each holding its item, until the
 * stream ends).
 */
function orSettled<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof SETTLED> {
  if (signal.aborted) return Promise.resolve(SETTLED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(SETTLED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

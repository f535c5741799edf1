import { once } from 'node:events';
import { Metadata, status, type ServerReadableStream, type ServerWritableStream, type StatusObject } from '@grpc/grpc-js';
import type { StreamCall, StreamedRequest } from '@acme/contracts';
import { RejectedRequest } from '../request-decoding';

/** Turns what a stream's handler threw into the status the client gets (the exception filter's mapping). */
export type StreamErrorStatus = (error: unknown, path: string) => Pick<StatusObject, 'code' | 'details'>;

/** A live server stream as a shutdown sees it. */
export interface EndableStream {
  /** Ends the stream now with `reason`. */
  endWith(reason: Pick<StatusObject, 'code' | 'details'>): void;
}

/** The server-streaming calls in flight, so a shutdown can end them with UNAVAILABLE before it waits for calls to finish. */
export class LiveStreams {
  private readonly streams = new Set<EndableStream>();

  get size(): number {
    return this.streams.size;
  }

  /** Ends every live stream with `reason` (a pulled handler's iterator is returned, a pushed handler's onEnd listeners called). */
  endAll(reason: Pick<StatusObject, 'code' | 'details'>): void {
    for (const stream of [...this.streams]) stream.endWith(reason);
  }

  /** @internal */
  add(stream: EndableStream): void {
    this.streams.add(stream);
  }

  /** @internal */
  delete(stream: EndableStream): void {
    this.streams.delete(stream);
  }
}

/** What a shutdown tells the clients of live streams: reconnect elsewhere (UNAVAILABLE is what their retry logic treats as such). */
export const SHUTDOWN_STREAM_STATUS = {
  code: status.UNAVAILABLE,
  details: 'this server is shutting down: reconnect (to another replica) and resume from your last resume token',
} as const;

/**
 * Writes what `messages` yields to `call`, pulling the next message only when
 * the call's buffer has room (it fills when the client reads slower than the
 * handler produces), and ends the call: OK when the iterator is done, the
 * mapped status when it throws, `reason` when `live` ends it. A cancelled
 * call (client gone, deadline passed) returns the iterator, so the handler's
 * finally blocks free what it holds.
 */
export async function writeStream(
  call: ServerWritableStream<unknown, unknown>,
  messages: AsyncIterable<unknown>,
  controller: AbortController,
  errorStatus: StreamErrorStatus,
  live: LiveStreams,
): Promise<void> {
  const iterator = messages[Symbol.asyncIterator]();
  let ended: Pick<StatusObject, 'code' | 'details'> | undefined;
  const stop = (reason: Pick<StatusObject, 'code' | 'details'> | undefined) => {
    ended ??= reason ?? { code: status.CANCELLED, details: 'cancelled' };
    controller.abort();
  };
  const onCancelled = () => stop(undefined);
  call.on('cancelled', onCancelled);
  const tracked: EndableStream = { endWith: stop };
  live.add(tracked);
  try {
    // One next() is always in flight, also while the call waits for the client
    // to make room: a handler that fails meanwhile (its own buffer overflowed)
    // ends the call then, not once the client reads again.
    let pending = iterator.next();
    for (;;) {
      const next = await untilAborted(pending, controller.signal);
      if (next === ABORTED || ended) break;
      if (next.done) break;
      const writable = call.write(next.value);
      pending = iterator.next();
      if (!writable) {
        const failed = pending.then(() => new Promise<never>(() => undefined));
        const drained = await untilAborted(Promise.race([once(call, 'drain'), failed]), controller.signal);
        if (drained === ABORTED) break;
      }
    }
    const reason: unknown = controller.signal.reason;
    if (!ended && reason instanceof EndedByHandler) ended = errorStatus(reason.error, call.getPath());
    if (ended) {
      if (!call.cancelled) call.emit('error', { ...ended, metadata: undefined });
    } else {
      call.end();
    }
  } catch (error) {
    if (!call.cancelled) call.emit('error', errorStatus(error, call.getPath()));
  } finally {
    live.delete(tracked);
    call.off('cancelled', onCancelled);
    controller.abort();
    // Frees the handler's resources (its finally blocks) without waiting for a pending next().
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

const ABORTED = Symbol('aborted');

/**
 * `promise`, or ABORTED as soon as `signal` aborts, leaving nothing behind
 * on the signal either way. (Racing each wait against one promise that
 * settles only when the stream ends, as Promise.race would, hangs a reaction
 * on that promise per wait, and with it the value the wait resolved with:
 * a long-lived stream kept every message it had written until it ended.)
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
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

/**
 * The messages of a client stream as the handler pulls them, numbered;
 * a message the strict decoder or the field rules refused is a
 * `rejected` item with the same reason a unary call would be answered.
 * Reading is driven by the handler: grpc-js asks HTTP/2 for more only when
 * the iterator is pulled and its small buffer has room.
 */
export async function* streamedRequests(call: ServerReadableStream<unknown, unknown>, signal: AbortSignal): AsyncGenerator<StreamedRequest<never>> {
  // A cancelled call (client gone, deadline passed) ends the iteration, also one waiting for the next message;
  // the handler sees why on its StreamCall's signal.
  const destroy = () => call.destroy();
  signal.addEventListener('abort', destroy, { once: true });
  let index = 0;
  try {
    for await (const message of call) {
      const current = index++;
      yield message instanceof RejectedRequest ? { index: current, rejected: message.reason } : { index: current, request: message as never };
    }
    // A client that cancels (or reaches its deadline) sends END_STREAM right before RST_STREAM: Node's
    // Http2Stream.close() ends the writable side first. So the end of the requests may be a reset on its way, which
    // grpc-js reports once Node has closed the stream's handle (the close callbacks of the loop turn that read both
    // frames). Two turns of the event loop later the handler sees `signal.aborted` instead of a complete stream, and
    // does not commit half an import.
    for (let turn = 0; turn < 2 && !signal.aborted; turn++) await new Promise((resolve) => setImmediate(resolve));
    // The same END_STREAM comes from a client whose deadline passed, and this server's own timer for that deadline
    // may fire a little after it arrives (seen in CI under load: an import cut at 1 s committed its 10 items). A stream
    // that ends this close to its deadline waits for it: past it the call is cancelled and nothing is committed.
    const untilDeadline = deadlineOf(call) - Date.now();
    if (untilDeadline <= DEADLINE_SETTLE_MS && !signal.aborted) await abortedOrAfter(signal, Math.max(0, untilDeadline) + 1);
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    signal.removeEventListener('abort', destroy);
  }
}

/** A client stream ending less than this before its deadline is held until the deadline has passed or the call is cancelled. */
const DEADLINE_SETTLE_MS = 100;

const deadlineOf = (call: ServerReadableStream<unknown, unknown>): number => {
  const deadline = call.getDeadline();
  return deadline instanceof Date ? deadline.getTime() : deadline;
};

/** Resolves when `signal` aborts or after `ms`, whichever comes first, leaving no timer or listener behind. */
function abortedOrAfter(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Why a StreamCall's controller was aborted when its handler called end(error). */
class EndedByHandler {
  constructor(readonly error: unknown) {}
}

type CallWithHeaders = { readonly cancelled: boolean; on(event: 'cancelled', listener: () => void): unknown; sendMetadata(metadata: Metadata): void };

/**
 * A call's StreamCall. Its AbortController (and the listener that aborts it
 * on cancel) is made when first asked for: a pushed stream's handler, which
 * learns of the end from its PushedStream, never asks.
 */
export class AttachedStreamCall implements StreamCall {
  private aborter: AbortController | undefined;
  private headersSent = false;

  constructor(private readonly call: CallWithHeaders) {}

  /** Aborted when the client cancels, its deadline passes, or whoever runs the call aborts it. */
  get controller(): AbortController {
    if (!this.aborter) {
      const controller = (this.aborter = new AbortController());
      if (this.call.cancelled) controller.abort();
      else this.call.on('cancelled', () => controller.abort());
    }
    return this.aborter;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  end(error: unknown): void {
    this.controller.abort(new EndedByHandler(error));
  }

  sendHeaders(): void {
    if (this.headersSent || this.signal.aborted) return;
    this.headersSent = true;
    this.call.sendMetadata(new Metadata());
  }
}

/** Gives `call` its StreamCall (made lazily, see AttachedStreamCall). */
export function attachLazyStreamCall(call: CallWithHeaders): AttachedStreamCall {
  const streamCall = new AttachedStreamCall(call);
  Object.defineProperty(call, STREAM_CALL, { value: streamCall });
  return streamCall;
}

/** Gives `call` its StreamCall and returns its AbortController (aborted when the client cancels, its deadline passes, or the controller aborts). */
export function attachStreamCall(call: CallWithHeaders): AbortController {
  return attachLazyStreamCall(call).controller;
}

/** Where the transport leaves a call's StreamCall for the controller method (see GrpcServiceController). */
export const STREAM_CALL = Symbol('acme.streamCall');

/** The StreamCall the transport attached to a grpc-js call. */
export const attachedStreamCall = (call: unknown): StreamCall => {
  const found = (call as { [STREAM_CALL]?: StreamCall } | undefined)?.[STREAM_CALL];
  if (!found) throw new Error('no StreamCall on this call: streaming handlers need GrpcTransport');
  return found;
};

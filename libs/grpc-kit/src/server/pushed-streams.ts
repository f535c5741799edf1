import { Metadata, type ServerWritableStream, type StatusObject } from '@grpc/grpc-js';
import type { StreamCall } from '@acme/contracts';
import type { LiveStreams, StreamErrorStatus } from './stream-calls';

/**
 * A server stream its handler writes to whenever it has a message, rather
 * than an async generator the transport pulls from. A stream that is open
 * for hours with nothing to send (a watch) then costs what grpc-js holds for
 * the call and this object, not a suspended generator, the transport's
 * loop over it and the promises and closures each keeps per stream.
 */
export interface PushedStream<T> extends StreamCall {
  /** True once the stream has ended: by end(), the client (cancel, deadline), the server's shutdown, or an overflow. */
  readonly ended: boolean;
  /**
   * Writes `message` now, without waiting for the client (a live update).
   * A client that has not taken `maxBuffered` messages written before it is
   * too slow: the stream ends with the status of `overflow()` instead, so a
   * slow reader never holds more than that. False once the stream has ended.
   */
  push(message: T): boolean;
  /**
   * Writes `message` and resolves once the client has room for more (HTTP/2
   * flow control): for a phase that ends, such as a snapshot, written with
   * backpressure instead of the bound. Resolves false once the stream has ended.
   */
  send(message: T): Promise<boolean>;
  /** Ends the stream: OK without `error`, otherwise with the status `error` maps to (as a handler's throw would). */
  end(error?: unknown): void;
  /** Calls `listener` once when the stream ends, however it ends (at once if it has): where the handler frees what it holds. */
  onEnd(listener: () => void): void;
}

export interface PushOptions {
  /** Messages written and not yet taken by the client past which push() ends the stream. */
  readonly maxBuffered: number;
  /** What the stream ends with when a push finds `maxBuffered` messages waiting (e.g. RESOURCE_EXHAUSTED saying how to resume). */
  readonly overflow: () => unknown;
}

/**
 * What a server-streaming handler returns to push its messages: `start` gets
 * the stream, writes what it has now (its awaits are the setup: checks, a
 * snapshot), hands the stream to whatever pushes later (a feed), registers
 * onEnd to take it back, and returns; the stream stays open until something
 * ends it. A throw from `start` ends the stream with the error's status.
 *
 *     watchThings(request, call) {
 *       return pushedStream({ maxBuffered: 1000, overflow: () => new StatusError(status.RESOURCE_EXHAUSTED, '...') }, async (stream) => {
 *         const unsubscribe = feed.subscribe(request.id, (thing) => stream.push(thing));
 *         stream.onEnd(unsubscribe);
 *         for (const thing of await snapshot(request.id)) if (!(await stream.send(thing))) return;
 *       });
 *     }
 *
 * Typed as the AsyncIterable ServerStreamingHandler returns, but only
 * GrpcTransport can run it; iterating it throws.
 */
export function pushedStream<T>(options: PushOptions, start: (stream: PushedStream<T>) => void | Promise<void>): AsyncIterable<T> {
  return new PushedSource(options, start as (stream: PushedStream<unknown>) => void | Promise<void>) as unknown as AsyncIterable<T>;
}

/** @internal What pushedStream() returns: the transport recognises it and runs it with PushedServerStream. */
export class PushedSource {
  constructor(
    readonly options: PushOptions,
    readonly start: (stream: PushedStream<unknown>) => void | Promise<void>,
  ) {}

  [Symbol.asyncIterator](): never {
    throw new Error('a pushedStream() is written by GrpcTransport as its handler pushes; it cannot be iterated');
  }
}

/**
 * @internal One pushed server-streaming call, as GrpcTransport runs it. It is
 * its own StreamCall and its own entry in LiveStreams, and registers one
 * listener on the call: a few hundred bytes beside grpc-js's call.
 */
export class PushedServerStream implements PushedStream<unknown> {
  ended = false;
  private endListeners: (() => void)[] | undefined;
  private headersSent = false;
  private controller: AbortController | undefined;
  private drained: (() => void) | undefined;
  private readonly cancelled = () => this.finish(CANCELLED);

  constructor(
    private readonly call: ServerWritableStream<unknown, unknown>,
    private readonly options: PushOptions,
    private readonly errorStatus: StreamErrorStatus,
    private readonly live: LiveStreams,
    /** Called with the call when the stream has ended (one function for every stream, not a closure per stream). */
    private readonly finished: (call: ServerWritableStream<unknown, unknown>) => void,
  ) {
    call.on('cancelled', this.cancelled);
    live.add(this);
  }

  /** Runs the handler's start; resolves when it returns (the stream itself may stay open long after). */
  async run(start: (stream: PushedStream<unknown>) => void | Promise<void>): Promise<void> {
    if (this.call.cancelled) this.finish(CANCELLED);
    if (this.ended) return;
    try {
      await start(this);
    } catch (error) {
      this.end(error);
    }
  }

  /** Only made when a handler asks: a pushed stream learns of its end from onEnd(). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.ended) this.controller.abort();
    }
    return this.controller.signal;
  }

  push(message: unknown): boolean {
    if (this.ended) return false;
    // writableLength counts the messages grpc-js has not yet handed to HTTP/2 (the one in flight included).
    if (this.call.writableLength >= this.options.maxBuffered) {
      this.end(this.options.overflow());
      return false;
    }
    this.call.write(message);
    return true;
  }

  async send(message: unknown): Promise<boolean> {
    if (this.ended) return false;
    if (this.call.write(message)) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.call.off('drain', done);
        this.drained = undefined;
        resolve();
      };
      this.drained = done;
      this.call.on('drain', done);
    });
    return !this.ended;
  }

  sendHeaders(): void {
    if (this.headersSent || this.ended) return;
    this.headersSent = true;
    this.call.sendMetadata(new Metadata());
  }

  end(error?: unknown): void {
    if (this.ended) return;
    this.finish(error === undefined ? OK : this.errorStatus(error, this.call.getPath()));
  }

  /** @internal Graceful shutdown (LiveStreams.endAll). */
  endWith(reason: Pick<StatusObject, 'code' | 'details'>): void {
    this.finish(reason);
  }

  onEnd(listener: () => void): void {
    if (this.ended) listener();
    else (this.endListeners ??= []).push(listener);
  }

  private finish(outcome: typeof OK | typeof CANCELLED | Pick<StatusObject, 'code' | 'details'>): void {
    if (this.ended) return;
    this.ended = true;
    this.live.delete(this);
    this.call.off('cancelled', this.cancelled);
    if (outcome === OK) this.call.end();
    // An error status goes out after what is already buffered (grpc-js's error handler ends the call).
    else if (outcome !== CANCELLED && !this.call.cancelled) this.call.emit('error', { ...outcome, metadata: undefined });
    this.controller?.abort();
    this.drained?.();
    const listeners = this.endListeners ?? [];
    this.endListeners = undefined;
    try {
      for (const listener of listeners) listener();
    } finally {
      this.finished(this.call);
    }
  }
}

const OK = Symbol('ok');
const CANCELLED = Symbol('cancelled');

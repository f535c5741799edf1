import type { DescService } from '@bufbuild/protobuf';
import type { MethodsOf, RequestOf, ResponseInitOf } from './service-shapes';

/** What a streaming handler knows of its call besides the messages. */
export interface StreamCall {
  /** Aborted when the call ends early: the client cancelled, its deadline passed, or the server is shutting down. */
  readonly signal: AbortSignal;
  /**
   * Ends the call now with the status `error` maps to (as if the handler had
   * thrown it), also while the server waits for a client that does not read:
   * for a handler whose own buffer overflowed meanwhile. The handler's
   * iterator is then returned, so its finally blocks free what it holds.
   */
  end(error: unknown): void;
  /**
   * Sends the response headers now, before any message: the client learns
   * the call was accepted (its checks passed) while nothing is there to send
   * yet, e.g. a watch resumed with no change since its token. The REST edge
   * waits for this (or a message) to answer 200 rather than a problem. The
   * first message sends them anyway; a second call does nothing.
   */
  sendHeaders(): void;
}

/**
 * A server-streaming handler: the messages it yields are written one at a
 * time, the next pulled only when the client has taken the previous one
 * (HTTP/2 flow control), so a handler that buffers sees a slow reader as its
 * own queue growing. Returning ends the call OK; throwing ends it with the
 * error's status; an early end of the call calls the iterator's return().
 */
export type ServerStreamingHandler<S extends DescService, K extends keyof MethodsOf<S>> = (
  request: RequestOf<S, K>,
  call: StreamCall,
) => AsyncIterable<ResponseInitOf<S, K>>;

/**
 * One message of a client stream, numbered from 0: the decoded request, or
 * why it was refused (the same reason, from the same rules, a unary call of
 * that message would be answered INVALID_ARGUMENT with). A refused item does
 * not end the stream: the handler reports it.
 */
export type StreamedRequest<T> = { readonly index: number; readonly request: T } | { readonly index: number; readonly rejected: string };

/**
 * A client-streaming handler: it pulls the requests (the client is held back
 * by flow control while it does not) and answers once.
 */
export type ClientStreamingHandler<S extends DescService, K extends keyof MethodsOf<S>> = (
  requests: AsyncIterable<StreamedRequest<RequestOf<S, K>>>,
  call: StreamCall,
) => Promise<ResponseInitOf<S, K>>;

/** A unary handler. */
export type UnaryHandler<S extends DescService, K extends keyof MethodsOf<S>> = (request: RequestOf<S, K>, ...rest: never[]) => Promise<ResponseInitOf<S, K>>;

/**
 * A server implementation of service S, each method's handler shaped by its
 * streaming kind in the proto (a controller `implements ServiceHandlers<typeof OrderService>`).
 * Bidirectional streams are not used by any service yet.
 */
export type ServiceHandlers<S extends DescService> = {
  [K in keyof MethodsOf<S>]: MethodsOf<S>[K]['methodKind'] extends 'server_streaming'
    ? ServerStreamingHandler<S, K>
    : MethodsOf<S>[K]['methodKind'] extends 'client_streaming'
      ? ClientStreamingHandler<S, K>
      : MethodsOf<S>[K]['methodKind'] extends 'unary'
        ? UnaryHandler<S, K>
        : never;
};

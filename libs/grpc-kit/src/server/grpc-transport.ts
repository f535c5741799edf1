import { type BaseRpcContext, type GrpcOptions, ServerGrpc } from '@nestjs/microservices';
import type { sendUnaryData, ServerReadableStream, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import { PushedServerStream, PushedSource } from './pushed-streams';
import { attachLazyStreamCall, attachStreamCall, LiveStreams, streamedRequests, writeStream, type StreamErrorStatus } from './stream-calls';

/** Nest's Observable writer (private in its typings). */
interface NestStreamWriter {
  writeObservableToGrpc(source: Observable<unknown>, call: ServerWritableStream<unknown, unknown>): Promise<void>;
}

type UnaryMethodHandler = (request: unknown, metadata: unknown, call: unknown) => Promise<unknown>;

/**
 * Nest's gRPC transport with a shorter unary path and the kit's own server-
 * and client-streaming paths (stream-calls.ts); binding and shutdown are Nest's.
 *
 * Nest 11's unary path copies the grpc-js call object for every call
 * (`{ ...call, operationId }`, for the processing hook), wraps every result
 * in an Observable and answers from an async subscriber: one allocation of
 * a dozen fields, a subscription and two extra microtask hops per call, on
 * the path the GetUser budget is about. Here a handler's plain result goes to
 * the callback at once. What Nest's exception layer returns for a failed call
 * is an Observable that errors (the GrpcExceptionFilter's status), and it is
 * subscribed to exactly as Nest does, so errors, filters and the processing
 * hooks behave as before; the hook sees the call object itself.
 */
export class GrpcTransport extends ServerGrpc {
  /** The server-streaming calls in flight (graceful shutdown ends them first). */
  readonly liveStreams = new LiveStreams();

  /**
   * `streamErrorStatus` maps what a server-streaming handler throws while it
   * streams (after Nest's exception layer has returned its iterator, so out of
   * that layer's reach) exactly as the exception filter maps handler errors.
   */
  constructor(
    options: GrpcOptions['options'],
    private readonly streamErrorStatus: StreamErrorStatus,
  ) {
    super(options);
  }

  private readonly pushedStreamEnded = (call: ServerWritableStream<unknown, unknown>) => this.onProcessingEndHook?.(this.transportId, call.request as BaseRpcContext);

  /**
   * Server streaming: the handler returns an AsyncIterable (ServerStreamingHandler),
   * written with backpressure by writeStream, or a pushedStream() it writes to
   * itself (pushed-streams.ts), for which the processing hook's work ends when
   * its start returns, not when the stream does; an Observable (what Nest's
   * exception layer returns for a handler that threw before streaming, or what
   * a Nest interceptor makes of the result) is written by Nest's own writer.
   */
  override createStreamServiceMethod(methodHandler: UnaryMethodHandler): (call: ServerWritableStream<unknown, unknown>) => void {
    return (call) =>
      this.onProcessingStartHook(this.transportId, call as unknown as BaseRpcContext, async () => {
        const ended = () => this.onProcessingEndHook?.(this.transportId, call.request as BaseRpcContext);
        const streamCall = attachLazyStreamCall(call);
        let result: unknown;
        try {
          result = await methodHandler(call.request, call.metadata, call);
        } catch (error) {
          ended();
          throw error;
        }
        if (result instanceof PushedSource) {
          await new PushedServerStream(call, result.options, this.streamErrorStatus, this.liveStreams, this.pushedStreamEnded).run(result.start);
          return;
        }
        try {
          if (isObservable(result)) await (this as unknown as NestStreamWriter).writeObservableToGrpc(result, call);
          else await writeStream(call, result as AsyncIterable<unknown>, streamCall.controller, this.streamErrorStatus, this.liveStreams);
        } finally {
          streamCall.controller.abort();
          ended();
        }
      });
  }

  /**
   * Client streaming: the handler gets the numbered requests as an
   * AsyncIterable it pulls (ClientStreamingHandler) and answers once; its
   * errors come back through Nest's exception layer as an Observable that errors.
   */
  override createRequestStreamMethod(methodHandler: UnaryMethodHandler, isResponseStream: boolean): ReturnType<ServerGrpc['createRequestStreamMethod']> {
    if (isResponseStream) throw new Error('bidirectional streams are not supported by GrpcTransport yet');
    return async (rawCall, callback) => {
      const call = rawCall as unknown as ServerReadableStream<unknown, unknown>;
      this.onProcessingStartHook(this.transportId, call as unknown as BaseRpcContext, async () => {
        const controller = attachStreamCall(call);
        try {
          const result = await methodHandler(streamedRequests(call, controller.signal), call.metadata, call);
          if (isObservable(result)) callback(null, await lastValueFrom(result as Observable<unknown>));
          else callback(null, result);
        } catch (error) {
          callback(error as Error, null);
        } finally {
          controller.abort();
          this.onProcessingEndHook?.(this.transportId, call as unknown as BaseRpcContext);
        }
      });
    };
  }

  override createUnaryServiceMethod(methodHandler: UnaryMethodHandler): (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void {
    return (call, callback) =>
      this.onProcessingStartHook(this.transportId, call as unknown as BaseRpcContext, async () => {
        const ended = () => this.onProcessingEndHook?.(this.transportId, call.request as BaseRpcContext);
        let result: unknown;
        try {
          result = await methodHandler(call.request, call.metadata, call);
        } catch (error) {
          // Nest's exception layer turns handler errors into an Observable; this is what escapes it.
          ended();
          callback(error as Error);
          return;
        }
        if (!isObservable(result)) {
          ended();
          callback(null, result);
          return;
        }
        (result as Observable<unknown>).subscribe({
          next: async (data) => callback(null, await data),
          error: (error: Error) => {
            ended();
            callback(error);
          },
          complete: ended,
        });
      });
  }
}

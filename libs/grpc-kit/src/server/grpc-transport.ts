import { type BaseRpcContext, ServerGrpc } from '@nestjs/microservices';
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { isObservable, type Observable } from 'rxjs';

type UnaryMethodHandler = (request: unknown, metadata: unknown, call: unknown) => Promise<unknown>;

/**
 * Nest's gRPC transport with a shorter unary path; everything else (streams,
 * binding, shutdown) is Nest's own.
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

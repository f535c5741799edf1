import { type ArgumentsHost, Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { type Observable, throwError } from 'rxjs';
import { currentCallContext, REQUEST_ID_KEY } from '../context/call-context';
import { type ErrorClassifier, toGrpcError } from './to-grpc-error';
import { statusName } from './grpc-status';
import { StatusError } from './status-errors';
import { type Metadata, status } from '@grpc/grpc-js';

/**
 * Global filter for gRPC handlers: every exception leaves as a proper status
 * (see toGrpcError). Without it Nest answers UNKNOWN for anything that is not
 * an RpcException.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('GrpcExceptionFilter');

  constructor(private readonly classifiers: readonly ErrorClassifier[] = []) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const error = exception instanceof RpcException ? fromRpcException(exception) : exception;
    const { response, unexpected } = toGrpcError(error, this.classifiers);
    // From the call itself (Nest passes request, metadata, call), so this works
    // with or without a propagated call context.
    const [, metadata, call] = host.getArgs<[unknown, Metadata | undefined, { getPath?: () => string } | undefined]>();
    const method = call?.getPath?.() ?? 'unknown method';
    const requestId = currentCallContext()?.requestId ?? metadata?.get(REQUEST_ID_KEY)[0]?.toString();
    if (unexpected) {
      this.logger.error(
        { err: error, method, requestId, code: statusName(response.code) },
        `unhandled error in ${method}, answered ${statusName(response.code)}`,
      );
    } else {
      this.logger.debug?.({ method, requestId, code: statusName(response.code), details: response.details }, 'call failed');
    }
    return throwError(() => response);
  }
}

/** `throw new RpcException({ code, message })` is Nest's documented way; honour it. */
function fromRpcException(exception: RpcException): unknown {
  const error = exception.getError();
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number') {
    const { code, message } = error as { code: number; message?: unknown };
    if (code in status) return new StatusError(code, typeof message === 'string' ? message : statusName(code));
  }
  return exception;
}

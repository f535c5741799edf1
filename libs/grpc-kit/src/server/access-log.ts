import { performance } from 'node:perf_hooks';
import {
  type ServerInterceptor,
  ServerInterceptingCall,
  ServerListenerBuilder,
  ResponderBuilder,
} from '@grpc/grpc-js';
import type { Logger as Pino } from 'pino';
import { statusName } from '../errors/grpc-status';
import { REQUEST_ID_KEY } from '../context/call-context';

/**
 * One debug line per finished call (method, status, duration, request id),
 * written by a grpc-js server interceptor so it sees the final status even
 * for calls Nest never handles (unknown method, deadline passed in transit).
 * Installed only when debug logging is on: at info level it costs nothing.
 */
export function accessLogInterceptor(logger: Pino): ServerInterceptor {
  return (method, call) => {
    const started = performance.now();
    let requestId: string | undefined;
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next(
          new ServerListenerBuilder()
            .withOnReceiveMetadata((metadata, forward) => {
              requestId = metadata.get(REQUEST_ID_KEY)[0]?.toString();
              forward(metadata);
            })
            .build(),
        ),
      sendStatus: new ResponderBuilder()
        .withSendStatus((status, forward) => {
          logger.debug(
            { method: method.path, code: statusName(status.code ?? 0), ms: Math.round((performance.now() - started) * 10) / 10, requestId },
            'call',
          );
          forward(status);
        })
        .build().sendStatus,
    });
  };
}

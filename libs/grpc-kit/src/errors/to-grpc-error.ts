import { Metadata, status } from '@grpc/grpc-js';
import { StatusError } from './status-errors';
import { isGrpcCallError, statusName } from './grpc-status';

/**
 * Recognises infrastructure errors (for example "database unreachable") that
 * should reach the caller with a specific status. Returns undefined for
 * errors it does not know.
 */
export type ErrorClassifier = (error: unknown) => StatusError | undefined;

/** What grpc-js needs to answer a call with a status. */
export interface GrpcErrorResponse {
  code: status;
  details: string;
  message: string;
  metadata?: Metadata;
}

export interface TranslatedError {
  response: GrpcErrorResponse;
  /** True when the error was not anticipated: it should be logged with its stack. */
  unexpected: boolean;
}

const response = (code: status, details: string): GrpcErrorResponse => ({ code, details, message: details });

/**
 * Maps anything a handler can throw to the status the caller sees:
 * - StatusError (and classified infrastructure errors): its code and message;
 * - an error from an upstream gRPC call that the handler did not translate:
 *   UNAVAILABLE / DEADLINE_EXCEEDED / CANCELLED / RESOURCE_EXHAUSTED pass
 *   through (they describe the network, not our logic), anything else is a bug
 *   in this service and becomes INTERNAL;
 * - everything else: INTERNAL, without internals in the message.
 * Nothing ever becomes UNKNOWN.
 */
export function toGrpcError(error: unknown, classifiers: readonly ErrorClassifier[] = []): TranslatedError {
  if (error instanceof StatusError) return { response: response(error.code, error.message), unexpected: false };
  for (const classify of classifiers) {
    const classified = classify(error);
    if (classified) return { response: response(classified.code, classified.message), unexpected: false };
  }
  if (isGrpcCallError(error)) {
    const passThrough = [status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED, status.RESOURCE_EXHAUSTED];
    if (passThrough.includes(error.code)) {
      return {
        response: response(error.code, `upstream call failed: ${error.details ?? statusName(error.code)}`),
        unexpected: false,
      };
    }
    return {
      response: response(status.INTERNAL, `internal error: unexpected ${statusName(error.code)} from an upstream service`),
      unexpected: true,
    };
  }
  return { response: response(status.INTERNAL, 'internal error'), unexpected: true };
}

import { status } from '@grpc/grpc-js';
import { grpcStatusOf } from '../errors/grpc-status';
import { StatusError } from '../errors/status-errors';

/** What an HTTP edge answers for a failed gRPC call. */
export interface HttpFailure {
  readonly status: number;
  /** Safe to show the client. */
  readonly detail: string;
  /** Seconds, for a Retry-After header. */
  readonly retryAfterSeconds?: number;
  /** Not anticipated: log it with the cause at error level. */
  readonly unexpected: boolean;
}

/**
 * gRPC status -> HTTP status for a REST edge, in one table.
 *
 * FAILED_PRECONDITION is 422, not 409: the request is well formed (400 is for
 * that) but refers to a state the system does not allow (an unknown buyer, an
 * idempotency key reused for different content, an order already cancelled).
 * 409 stays reserved for ALREADY_EXISTS and ABORTED, conflicts the client
 * resolves by choosing another value or by retrying. This matches the IETF
 * Idempotency-Key draft, which answers a key reused with a different payload
 * with 422.
 */
const HTTP_STATUS: Partial<Record<status, number>> = {
  [status.INVALID_ARGUMENT]: 400,
  [status.OUT_OF_RANGE]: 400,
  [status.UNAUTHENTICATED]: 401,
  [status.PERMISSION_DENIED]: 403,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.ABORTED]: 409,
  [status.FAILED_PRECONDITION]: 422,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.UNAVAILABLE]: 503,
  [status.DEADLINE_EXCEEDED]: 504,
};

/** The HTTP status for a gRPC status code; 500 for codes that mean a bug (UNKNOWN, INTERNAL, UNIMPLEMENTED, DATA_LOSS...). */
export function httpStatusForGrpc(code: status): number {
  return HTTP_STATUS[code] ?? 500;
}

/**
 * Turns the error of a failed call to `upstream` into what the client sees.
 *
 * - 4xx: the service's status message, already written for a person, becomes
 *   the detail unchanged.
 * - 503/504: the detail is written here. Those statuses are also produced by
 *   the gRPC library itself, whose messages name internal addresses; the
 *   client needs to know which part failed and whether to retry, not where it
 *   runs.
 * - everything else (including errors that are not gRPC errors): 500 with a
 *   generic detail, flagged unexpected so the caller logs the cause.
 */
export function httpFailureForGrpcError(error: unknown, upstream: string, retryAfterSeconds = 1): HttpFailure {
  const code = error instanceof StatusError ? error.code : grpcStatusOf(error);
  if (code === undefined) return internal();
  const httpStatus = httpStatusForGrpc(code);
  switch (httpStatus) {
    case 503:
      return {
        status: 503,
        detail: `${upstream} (or a service it depends on) is unavailable; retry later`,
        retryAfterSeconds,
        unexpected: false,
      };
    case 504:
      return { status: 504, detail: `${upstream} (or a service it depends on) did not answer in time; retry later`, unexpected: false };
    case 429:
      return { status: 429, detail: messageOf(error) || `${upstream} is overloaded; retry later`, retryAfterSeconds, unexpected: false };
    case 500:
      return internal();
    default:
      return { status: httpStatus, detail: messageOf(error) || `${upstream} refused the request`, unexpected: false };
  }
}

function internal(): HttpFailure {
  return { status: 500, detail: 'internal error; the request id identifies it in the logs', unexpected: true };
}

/** The status message as the service wrote it (grpc-js prefixes `message` with the code; `details` is the bare text). */
function messageOf(error: unknown): string {
  if (error instanceof StatusError) return error.message;
  const details = (error as { details?: unknown }).details;
  return typeof details === 'string' ? details : '';
}

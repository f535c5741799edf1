import { status, type ServiceError } from '@grpc/grpc-js';

/** An error received from a gRPC call (grpc-js ServiceError or the plain object Nest's client emits). */
export interface GrpcCallError {
  code: status;
  details?: string;
  message?: string;
}

export function isGrpcCallError(error: unknown): error is GrpcCallError & Partial<ServiceError> {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'number' &&
    (error as { code: number }).code in status &&
    ('details' in error || 'metadata' in error)
  );
}

/** The status code of an error from a gRPC call, or undefined for any other error. */
export function grpcStatusOf(error: unknown): status | undefined {
  return isGrpcCallError(error) ? error.code : undefined;
}

export function statusName(code: status): string {
  return status[code] ?? `CODE_${code}`;
}

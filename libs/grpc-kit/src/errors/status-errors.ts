import { status } from '@grpc/grpc-js';

/**
 * An error that knows which gRPC status it should be answered with. Services
 * throw these (or subclasses) for every failure a caller can act on; the
 * exception filter turns them into the wire status and message unchanged.
 */
export class StatusError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is malformed. `field` uses the proto field path, e.g. `items[2].quantity`. */
export class InvalidArgumentError extends StatusError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(status.INVALID_ARGUMENT, `${field}: ${reason}`);
  }
}

export class NotFoundError extends StatusError {
  constructor(resource: string, id: string) {
    super(status.NOT_FOUND, `${resource} ${id} not found`);
  }
}

export class AlreadyExistsError extends StatusError {
  constructor(message: string) {
    super(status.ALREADY_EXISTS, message);
  }
}

/** The request is well-formed but the system is not in a state that allows it. */
export class FailedPreconditionError extends StatusError {
  constructor(message: string) {
    super(status.FAILED_PRECONDITION, message);
  }
}

/** A dependency (database, upstream service) cannot be reached; the caller may retry. */
export class UnavailableError extends StatusError {
  constructor(message: string) {
    super(status.UNAVAILABLE, message);
  }
}

export class DeadlineExceededError extends StatusError {
  constructor(message: string) {
    super(status.DEADLINE_EXCEEDED, message);
  }
}

/** No usable identity: no access token, or one that does not verify. The message says which check failed. */
export class UnauthenticatedError extends StatusError {
  constructor(message: string) {
    super(status.UNAUTHENTICATED, message);
  }
}

/** The caller is known but may not do this. The message names the missing scope, role or ownership. */
export class PermissionDeniedError extends StatusError {
  constructor(message: string) {
    super(status.PERMISSION_DENIED, message);
  }
}

import { Metadata, status } from '@grpc/grpc-js';
import { DeadlineExceededError, FailedPreconditionError } from '../errors/status-errors';
import { httpFailureForGrpcError, httpStatusForGrpc } from './grpc-to-http';
import { problemDetails } from './problem-details';

const callError = (code: status, details: string) =>
  Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });

describe('httpStatusForGrpc', () => {
  it.each([
    [status.INVALID_ARGUMENT, 400],
    [status.NOT_FOUND, 404],
    [status.ALREADY_EXISTS, 409],
    [status.FAILED_PRECONDITION, 422],
    [status.RESOURCE_EXHAUSTED, 429],
    [status.UNAVAILABLE, 503],
    [status.DEADLINE_EXCEEDED, 504],
    [status.UNKNOWN, 500],
    [status.INTERNAL, 500],
    [status.UNIMPLEMENTED, 500],
    [status.DATA_LOSS, 500],
  ])('maps %p to %p', (code, http) => expect(httpStatusForGrpc(code)).toBe(http));
});

describe('httpFailureForGrpcError', () => {
  it("keeps the service's message for client errors", () => {
    expect(httpFailureForGrpcError(callError(status.ALREADY_EXISTS, 'a user with email a@b.co already exists'), 'user-service')).toEqual({
      status: 409,
      detail: 'a user with email a@b.co already exists',
      unexpected: false,
    });
    expect(httpFailureForGrpcError(new FailedPreconditionError('order 1 is already cancelled'), 'order-service').detail).toBe(
      'order 1 is already cancelled',
    );
  });

  it('writes its own detail for 503 and 504, so library messages with internal addresses never reach the client', () => {
    const unavailable = httpFailureForGrpcError(
      callError(status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 10.1.2.3:50051'),
      'user-service',
    );
    expect(unavailable).toMatchObject({ status: 503, retryAfterSeconds: 1, unexpected: false });
    expect(unavailable.detail).toContain('user-service');
    expect(unavailable.detail).not.toContain('10.1.2.3');
    const late = httpFailureForGrpcError(new DeadlineExceededError('Deadline exceeded after 3.001s,remote_addr=10.1.2.3:50052'), 'order-service');
    expect(late).toMatchObject({ status: 504, unexpected: false });
    expect(late.detail).not.toContain('10.1.2.3');
  });

  it('hides internal errors and flags them for logging', () => {
    for (const error of [callError(status.INTERNAL, 'null value in column "x"'), new TypeError('x is undefined'), 'a string']) {
      const failure = httpFailureForGrpcError(error, 'order-service');
      expect(failure.status).toBe(500);
      expect(failure.detail).not.toMatch(/column|undefined|string/);
      expect(failure.unexpected).toBe(true);
    }
  });
});

describe('problemDetails', () => {
  it('builds an RFC 9457 document with the reason phrase as title', () => {
    expect(problemDetails(404, 'order 1 not found', { instance: '/orders/1', requestId: 'r1' })).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'order 1 not found',
      instance: '/orders/1',
      requestId: 'r1',
    });
  });
});

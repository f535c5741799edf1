import { Metadata, status } from '@grpc/grpc-js';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError, StatusError, UnavailableError } from './status-errors';
import { toGrpcError } from './to-grpc-error';

const upstream = (code: status, details: string) => Object.assign(new Error(details), { code, details, metadata: new Metadata() });

describe('toGrpcError', () => {
  it('keeps the code and message of status errors', () => {
    expect(toGrpcError(new InvalidArgumentError('items[2].quantity', 'must be between 1 and 10000')).response).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'items[2].quantity: must be between 1 and 10000',
    });
    expect(toGrpcError(new NotFoundError('user', 'abc')).response.details).toBe('user abc not found');
    expect(toGrpcError(new AlreadyExistsError('taken')).unexpected).toBe(false);
  });

  it('applies classifiers before falling back', () => {
    const classified = toGrpcError(new Error('db down'), [() => undefined, () => new UnavailableError('database unavailable')]);
    expect(classified.response).toMatchObject({ code: status.UNAVAILABLE, details: 'database unavailable' });
    expect(classified.unexpected).toBe(false);
  });

  it.each([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED, status.RESOURCE_EXHAUSTED])(
    'passes through network-level upstream status %p',
    (code) => {
      const { response, unexpected } = toGrpcError(upstream(code, 'No connection established'));
      expect(response.code).toBe(code);
      expect(response.details).toContain('No connection established');
      expect(unexpected).toBe(false);
    },
  );

  it.each([status.INVALID_ARGUMENT, status.NOT_FOUND, status.UNKNOWN, status.INTERNAL])(
    'turns an untranslated upstream %p into INTERNAL (a bug here, not the caller\'s fault)',
    (code) => {
      const { response, unexpected } = toGrpcError(upstream(code, 'id: must be a UUID'));
      expect(response.code).toBe(status.INTERNAL);
      expect(response.details).not.toContain('UUID');
      expect(unexpected).toBe(true);
    },
  );

  it('never answers UNKNOWN, and never leaks internals, for arbitrary throws', () => {
    for (const thrown of [new TypeError('cannot read x of undefined'), 'a string', undefined, { weird: true }]) {
      const { response, unexpected } = toGrpcError(thrown);
      expect(response).toMatchObject({ code: status.INTERNAL, details: 'internal error' });
      expect(unexpected).toBe(true);
    }
  });

  it('gives subclasses their own name for logs', () => {
    expect(new InvalidArgumentError('id', 'x').name).toBe('InvalidArgumentError');
    expect(new StatusError(status.ABORTED, 'x').name).toBe('StatusError');
  });
});

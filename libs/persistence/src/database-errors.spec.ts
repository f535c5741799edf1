import { status } from '@grpc/grpc-js';
import { classifyDatabaseError, isDatabaseUnavailable } from './database-errors';

describe('database error classification', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['admin shutdown', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['connection exception class 08', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['terminated', new Error('Connection terminated unexpectedly')],
  ])('maps %s to UNAVAILABLE', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(classifyDatabaseError(error)?.code).toBe(status.UNAVAILABLE);
  });

  it.each([
    ['a syntax error', Object.assign(new Error('syntax error'), { code: '42601' })],
    ['a check violation', Object.assign(new Error('violates check constraint'), { code: '23514' })],
    ['a plain bug', new TypeError('x is undefined')],
    ['a non-error', 'boom'],
  ])('leaves %s alone', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(classifyDatabaseError(error)).toBeUndefined();
  });
});

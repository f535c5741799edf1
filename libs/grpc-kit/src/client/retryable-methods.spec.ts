import { ORDER_SERVICE_CONTRACT, USER_SERVICE_CONTRACT } from '@acme/contracts';
import { retryableMethodsOf } from './retryable-methods';

describe('retryableMethodsOf (from the protos)', () => {
  it('retries reads, and CreateOrder which its idempotency key makes safe; never the other writes', () => {
    expect(retryableMethodsOf(USER_SERVICE_CONTRACT).sort()).toEqual(['GetUser', 'ListUsers']);
    expect(retryableMethodsOf(ORDER_SERVICE_CONTRACT).sort()).toEqual(['CreateOrder', 'GetOrder', 'ListOrders']);
  });

  it('refuses a contract that names no service', () => {
    expect(() => retryableMethodsOf({ ...USER_SERVICE_CONTRACT, service: 'NoSuchService' })).toThrow(
      /acme\.user\.v1\.NoSuchService is not a service/,
    );
  });
});

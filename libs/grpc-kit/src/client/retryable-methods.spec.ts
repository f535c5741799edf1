import { SERVICES } from '@acme/contracts';
import { retryableMethodsOf } from './retryable-methods';

describe('retryableMethodsOf (from the protos)', () => {
  it('retries reads, and CreateOrder which its idempotency key makes safe; never the other writes', () => {
    expect(retryableMethodsOf(SERVICES.user).sort()).toEqual(['GetUser', 'ListUsers']);
    expect(retryableMethodsOf(SERVICES.order).sort()).toEqual(['CreateOrder', 'GetOrder', 'ListOrders', 'WatchOrders']);
  });
});

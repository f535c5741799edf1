import { EVENTS } from '@acme/contracts';
import { POISON_BODY } from './poison-message';

describe('POISON_BODY', () => {
  it('does not decode as the UserDeleted it claims to be, so the consumer must dead-letter it', () => {
    expect(() => EVENTS.userDeleted.decode(POISON_BODY)).toThrow();
    // ...while a real UserDeleted's bytes do (the test would pass for any contract that throws on everything otherwise).
    const real = EVENTS.userDeleted.encode(EVENTS.userDeleted.create({ eventId: '0b5f1c1e-4c1a-4f59-9f3a-2f3c3c0f6a10' }));
    expect(EVENTS.userDeleted.decode(real).eventId).toBe('0b5f1c1e-4c1a-4f59-9f3a-2f3c3c0f6a10');
  });
});

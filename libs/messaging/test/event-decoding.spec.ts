import { EVENTS } from '@acme/contracts';

// What the consumer gets from the shared event codecs: the event as sent, or
// an error (which dead-letters the message), never an altered event.
describe('event decoding', () => {
  const event = EVENTS.userDeleted.create({ eventId: '01a2175a-0000-7000-8000-000000000001', userId: '01a2175a-0000-7000-8000-000000000002' });

  it('round-trips an event', () => {
    expect(EVENTS.userDeleted.decode(EVENTS.userDeleted.encode(event))).toEqual(event);
  });

  it('refuses a string field that is not UTF-8 instead of turning it into U+FFFD', () => {
    const bytes = EVENTS.userDeleted.encode(event);
    const corrupted = Uint8Array.from(bytes);
    corrupted[corrupted.length - 1] = 0xff; // last byte of the last string field
    expect(() => EVENTS.userDeleted.decode(corrupted)).toThrow();
  });
});

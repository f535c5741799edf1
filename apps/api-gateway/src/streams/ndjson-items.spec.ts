import { SERVICES, userV1 } from '@acme/contracts';
import { restRoutesOf } from '../rest/rest-routes';
import { lineItems, LineNumbers, refusedLine } from './ndjson-items';

const route = restRoutesOf(SERVICES.user).find((r) => r.kind === 'client_stream')!;
const itemOf = lineItems(route);
const line = (text: string, index = 0) => itemOf({ index, bytes: Buffer.from(text) });

describe('NDJSON lines as ImportUsers items', () => {
  it('makes each line the request’s user, idempotency key included', () => {
    const item = line('{"email":"ada@example.com","name":"Ada","idempotencyKey":"k-1"}');
    expect('request' in item && (item.request as userV1.ImportUsersRequest).user).toMatchObject({ email: 'ada@example.com', name: 'Ada', idempotencyKey: 'k-1' });
  });

  it('refuses what the edge can see, in the unary route’s words; leaves the field rules to the service', () => {
    expect(line('{"email": "a@example.com", "name": ')).toEqual({ refused: expect.stringMatching(/^line: is not JSON \(/) });
    expect(line('[1]')).toEqual({ refused: 'line: must be a JSON object' });
    expect(line('{"email":"a@example.com"}')).toEqual({ refused: 'name: is required' });
    expect(line('{"email":"a@example.com","name":"A","nick":"x"}')).toEqual({ refused: 'nick: is not a known field' });
    expect(line('{"email":5,"name":"A"}')).toEqual({ refused: 'email: must be a string' });
    expect(line('{"email":"a@example.com","name":"\\ud800"}')).toEqual({ refused: expect.stringMatching(/^name: contains \\ud800, half of a surrogate pair/) });
    expect(itemOf({ index: 0, bytes: Buffer.from([0x7b, 0xff, 0x7d]) })).toEqual({ refused: 'line: contains bytes that are not UTF-8; send JSON encoded as UTF-8' });
    expect(itemOf({ index: 3, tooLong: true })).toEqual({ refused: 'line: is longer than 16384 bytes; send one CreateUserRequest per line' });
    // A broken rule is the service's to report (with CreateUser's message), not the edge's.
    expect('request' in line('{"email":"not-an-email","name":"A"}')).toBe(true);
  });

  it('skips blank lines', () => {
    expect(line('')).toEqual({ blank: true });
    expect(line('  \t')).toEqual({ blank: true });
  });
});

describe('LineNumbers', () => {
  const failure = (index: number, message = 'x') => ({ index: BigInt(index), code: 'ALREADY_EXISTS', message });

  it('renumbers the service’s items as lines, skipping the lines not sent, and merges both lists in line order', () => {
    const numbers = new LineNumbers();
    // Lines 1, 2 and 5 were not sent: items 0..4 are lines 0, 3, 4, 6, 7.
    for (const skipped of [1, 2, 5]) numbers.skip(skipped);
    const merged = numbers.merge([failure(0, 'a'), failure(1, 'b'), failure(3, 'c'), failure(4, 'd')], [refusedLine(1, 'one'), refusedLine(5, 'five')]);
    expect(merged.map((f) => [Number(f.index), f.message])).toEqual([
      [0, 'a'],
      [1, 'one'],
      [3, 'b'],
      [5, 'five'],
      [6, 'c'],
      [7, 'd'],
    ]);
  });

  it('leaves item numbers as they are when every line was sent', () => {
    expect(new LineNumbers().merge([failure(2), failure(9)], []).map((f) => f.index)).toEqual([2n, 9n]);
  });
});

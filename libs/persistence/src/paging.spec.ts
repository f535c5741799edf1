import { status } from '@grpc/grpc-js';
import { InvalidArgumentError } from '@acme/grpc-kit';
import { DEFAULT_PAGE_SIZE, PageTokenCodec, resolvePageSize } from './paging';

describe('resolvePageSize', () => {
  it('maps 0 to the default and keeps any other size', () => {
    expect(resolvePageSize(0)).toBe(DEFAULT_PAGE_SIZE);
    expect(resolvePageSize(1)).toBe(1);
    expect(resolvePageSize(100)).toBe(100);
  });
});

describe('PageTokenCodec', () => {
  const codec = new PageTokenCodec('a-test-secret-that-is-long-enough-0000');
  const key = '01a2175a-62b6-7650-893f-60b1730166e9';

  it('round-trips the last key for the same scope', () => {
    expect(codec.decode('users', codec.encode('users', key))).toBe(key);
  });

  it('treats an empty token as the first page', () => {
    expect(codec.decode('users', '')).toBeUndefined();
  });

  it('is opaque: the key is not readable as plain text', () => {
    expect(codec.encode('users', key)).not.toContain(key);
  });

  const rejects = (scope: string, token: string) => {
    try {
      codec.decode(scope, token);
    } catch (error) {
      return error as InvalidArgumentError;
    }
    throw new Error('token was accepted');
  };

  it('rejects a token for another list', () => {
    const error = rejects('orders:b', codec.encode('orders:a', key));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.message).toMatch(/^page_token: is not a page token issued for this list/);
  });

  it('keeps accepting tokens of a rotated-out secret while it is listed as previous, and signs only with the current one', () => {
    const before = new PageTokenCodec('the-secret-before-the-rotation-000000');
    const rotated = new PageTokenCodec('the-secret-after-the-rotation-0000000', ['the-secret-before-the-rotation-000000']);
    const held = before.encode('users', key);
    expect(rotated.decode('users', held)).toBe(key);
    // New tokens are signed with the current secret: the old codec no longer accepts them, a codec with only the new one does.
    const fresh = rotated.encode('users', key);
    expect(() => before.decode('users', fresh)).toThrow(/is not a page token issued for this list/);
    expect(new PageTokenCodec('the-secret-after-the-rotation-0000000').decode('users', fresh)).toBe(key);
    // Once the old secret is dropped, what it signed is refused like any other foreign token.
    expect(() => new PageTokenCodec('the-secret-after-the-rotation-0000000').decode('users', held)).toThrow(/is not a page token issued for this list/);
  });

  it('rejects a token signed with another secret', () => {
    const other = new PageTokenCodec('another-secret-that-is-long-enough-000');
    expect(rejects('users', other.encode('users', key)).field).toBe('page_token');
  });

  it.each([
    ['payload edited', (t: string) => `${Buffer.from('{"v":1,"k":"00000000-0000-7000-8000-000000000000"}').toString('base64url')}.${t.split('.')[1]}`],
    ['signature edited', (t: string) => `${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`],
    ['truncated', (t: string) => t.slice(0, t.length - 5)],
    ['extra segment', (t: string) => `${t}.x`],
    ['garbage', () => 'not a token'],
    ['only a dot', () => '.'],
  ])('rejects a token with %s', (_case, tamper) => {
    expect(rejects('users', tamper(codec.encode('users', key))).field).toBe('page_token');
  });
});

describe('PageTokenCodec.readPage', () => {
  const codec = new PageTokenCodec('a-test-secret-that-is-long-enough-0000');
  const ids = Array.from({ length: 5 }, (_, i) => ({ id: `id-${i}` }));
  // A keyset list over `ids`, as a repository would answer it.
  const list = async (afterId: string | undefined, limit: number) => ids.filter((r) => afterId === undefined || r.id > afterId).slice(0, limit);

  it('pages through a list without gaps or repeats, with no token after the last page', async () => {
    const first = await codec.readPage('s', { pageSize: 2, pageToken: '' }, list);
    expect(first.items.map((r) => r.id)).toEqual(['id-0', 'id-1']);
    const second = await codec.readPage('s', { pageSize: 2, pageToken: first.nextPageToken }, list);
    expect(second.items.map((r) => r.id)).toEqual(['id-2', 'id-3']);
    const last = await codec.readPage('s', { pageSize: 2, pageToken: second.nextPageToken }, list);
    expect(last).toEqual({ items: [{ id: 'id-4' }], nextPageToken: '' });
  });

  it('gives no next token when the page is exactly the rest of the list', async () => {
    expect((await codec.readPage('s', { pageSize: 5, pageToken: '' }, list)).nextPageToken).toBe('');
  });
});

import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '@acme/grpc-kit';

export const DEFAULT_PAGE_SIZE = 20;

/** A request's page_size (its range is the proto's rule, checked before any handler runs): 0 means the default. */
export const resolvePageSize = (pageSize: number): number => pageSize || DEFAULT_PAGE_SIZE;

const SIGNATURE_BYTES = 16;

/**
 * Opaque page tokens for keyset pagination. A token carries the last key of
 * the page it ends and is signed (HMAC-SHA256) together with the list it
 * belongs to (`scope`, e.g. "orders:<user id>"), so a client can neither
 * forge a position nor reuse a token on another list. Keyset positions, not
 * offsets, keep pages stable while rows are inserted.
 */
export class PageTokenCodec {
  private readonly verifying: readonly string[];

  /**
   * Tokens are signed with `secret`; `previousSecrets` (a rotation's earlier
   * secrets) still verify, so pages a client holds keep working while every
   * replica moves to the new secret. Drop a previous secret once no token
   * signed with it can matter (tokens carry no expiry; a client then starts
   * from the first page again).
   */
  constructor(
    private readonly secret: string,
    previousSecrets: readonly string[] = [],
  ) {
    this.verifying = [secret, ...previousSecrets];
  }

  encode(scope: string, lastKey: string): string {
    const payload = Buffer.from(JSON.stringify({ v: 1, k: lastKey })).toString('base64url');
    return `${payload}.${this.sign(scope, payload).toString('base64url')}`;
  }

  /** The last key encoded in `token`; '' for an empty token (first page). */
  decode(scope: string, token: string, field = 'page_token'): string | undefined {
    if (token === '') return undefined;
    const invalid = () =>
      new InvalidArgumentError(field, 'is not a page token issued for this list; request the first page with an empty page_token');
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) throw invalid();
    const given = Buffer.from(signature, 'base64url');
    const signedByOneOfOurs = this.verifying.some((secret) => {
      const expected = this.sign(scope, payload, secret);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!signedByOneOfOurs) throw invalid();
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    const key = (parsed as { v?: unknown; k?: unknown } | null)?.k;
    if ((parsed as { v?: unknown }).v !== 1 || typeof key !== 'string') throw invalid();
    return key;
  }

  /**
   * One page of a keyset-paged list: `list` is asked for one row more than
   * the page, which tells whether another page exists without a COUNT; the
   * next page token (or '' after the last page) resumes after the page's last id.
   */
  async readPage<T extends { readonly id: string }>(
    scope: string,
    request: { readonly pageSize: number; readonly pageToken: string },
    list: (afterId: string | undefined, limit: number) => Promise<T[]>,
  ): Promise<{ items: T[]; nextPageToken: string }> {
    const pageSize = resolvePageSize(request.pageSize);
    const rows = await list(this.decode(scope, request.pageToken), pageSize + 1);
    const items = rows.slice(0, pageSize);
    const last = items[items.length - 1];
    return { items, nextPageToken: rows.length > pageSize && last ? this.encode(scope, last.id) : '' };
  }

  private sign(scope: string, payload: string, secret = this.secret): Buffer {
    return createHmac('sha256', secret).update(`${scope}\n${payload}`).digest().subarray(0, SIGNATURE_BYTES);
  }
}

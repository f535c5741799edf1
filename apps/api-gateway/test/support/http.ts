/**
 * Parsed JSON of any shape. Tests assert on answers with matchers rather than
 * types, and a loose type keeps them readable.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** One HTTP exchange, as the tests look at it. */
export interface Answer<T = Json> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON (also for problem+json), undefined for an empty body. */
  readonly body: T;
  readonly text: string;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** Sent verbatim instead of JSON.stringify(body). */
  readonly rawBody?: string | Buffer;
  readonly headers?: Record<string, string>;
}

/** A small client for the gateway over real HTTP (Node's fetch), sending `token` as its bearer token unless a request sets its own Authorization. */
export function client(baseUrl: string, token?: string) {
  const send = async <T = Json>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> => {
    const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers };
    let body: string | Buffer | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, headers: response.headers, text, body: text && type.includes('json') ? JSON.parse(text) : undefined };
  };
  return {
    get: <T = Json>(path: string, options?: RequestOptions) => send<T>('GET', path, options),
    post: <T = Json>(path: string, options?: RequestOptions) => send<T>('POST', path, options),
    delete: <T = Json>(path: string, options?: RequestOptions) => send<T>('DELETE', path, options),
    send,
  };
}

export type Client = ReturnType<typeof client>;

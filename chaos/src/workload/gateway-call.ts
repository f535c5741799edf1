/** What one call to the gateway answered, reduced to what the history keeps. */
export interface GatewayAnswer {
  readonly startMs: number;
  readonly endMs: number;
  readonly status: number;
  readonly problem?: boolean;
  readonly detail?: string;
  readonly body?: Record<string, unknown>;
}

/**
 * Longer than any deadline in the system (the gateway's upstream deadlines are
 * 3 s): a request that gets no answer by then is recorded as status 0, which
 * the checker counts as a violation (the gateway must always answer).
 */
export const CLIENT_TIMEOUT_MS = 10_000;

/** An RFC 9457 problem document: application/problem+json whose status matches the response's. */
function isProblem(contentType: string | null, body: unknown, status: number): boolean {
  return (contentType ?? '').startsWith('application/problem+json') && typeof body === 'object' && body !== null && (body as { status?: unknown }).status === status;
}

export async function callGateway(
  baseUrl: string,
  token: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { body?: unknown; idempotencyKey?: string } = {},
): Promise<GatewayAnswer> {
  const startMs = Date.now();
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const status = response.status;
    const endMs = Date.now();
    if (status < 400) return { startMs, endMs, status, body: body as Record<string, unknown> | undefined };
    const detail = typeof (body as { detail?: unknown })?.detail === 'string' ? (body as { detail: string }).detail : text.slice(0, 200);
    return { startMs, endMs, status, problem: isProblem(response.headers.get('content-type'), body, status), detail };
  } catch (error) {
    return { startMs, endMs: Date.now(), status: 0, detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

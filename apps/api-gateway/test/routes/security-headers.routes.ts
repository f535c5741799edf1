import type { Stack } from '../support/stack';

/** The one origin the stack of routes.spec.ts allows (CORS_ALLOWED_ORIGINS). */
export const ALLOWED_ORIGIN = 'https://app.example.com';

/** Headers browsers act on, on answers of every kind, and CORS for exactly the configured origins. */
export function securityHeadersRoutes(stack: Stack): void {
  it('sends the security headers on success, on a problem answer and on a framework refusal, and no server banner', async () => {
    const answers = [
      await stack.api.get('/healthz'),
      await stack.api.get('/users/not-a-uuid'),
      await stack.api.post('/users', { rawBody: '{', headers: { 'content-type': 'application/json' } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 400, 400]);
    for (const { headers } of answers) {
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      expect(headers.get('server')).toBeNull();
      expect(headers.get('x-powered-by')).toBeNull();
      // Plain HTTP: no HSTS promise this process cannot keep.
      expect(headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('lets the Swagger UI run under its Content-Security-Policy: every script it loads is a file from this origin', async () => {
    const page = await stack.api.get('/docs');
    expect(page.status).toBe(200);
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    // An inline script would be blocked by script-src 'self'.
    expect(scripts.filter(([, attributes, body]) => !/\bsrc=/.test(attributes ?? '') || (body ?? '').trim() !== '')).toEqual([]);
    for (const [, attributes] of scripts) {
      const src = /src="([^"]+)"/.exec(attributes ?? '')?.[1] ?? '';
      expect(src).not.toMatch(/^(https?:)?\/\//);
      expect((await stack.api.get(new URL(src, `${stack.gateway.url}/docs`).pathname)).status).toBe(200);
    }
  });

  it('answers a preflight from the allowed origin, exposing the headers a script quotes', async () => {
    const preflight = await stack.api.send('OPTIONS', '/orders', {
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    const read = await stack.api.get('/healthz', { headers: { origin: ALLOWED_ORIGIN } });
    expect(read.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(read.headers.get('access-control-expose-headers')?.split(',').map((h) => h.trim())).toEqual(
      expect.arrayContaining(['x-request-id', 'traceparent', 'retry-after']),
    );
  });

  it('gives any other origin no CORS grant', async () => {
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.example.com', 'null']) {
      const preflight = await stack.api.send('OPTIONS', '/orders', { headers: { origin, 'access-control-request-method': 'POST' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const read = await stack.api.get('/healthz', { headers: { origin } });
      expect(read.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
}

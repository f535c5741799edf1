import { accessOf } from '@acme/contracts';
import { BEARER_SCHEME, OIDC_SCHEME } from '../../src/http/openapi-security';
import { REST_SERVICES } from '../../src/rest/rest.module';
import { restRoutesOf } from '../../src/rest/rest-routes';
import type { Stack } from '../support/stack';

/** The OpenAPI document, Swagger UI, the probes and the request id header. */
export function docsAndHealthRoutes(stack: Stack): void {
  it('serves an OpenAPI 3 document generated from the code, listing every route', async () => {
    const answer = await stack.api.get('/openapi.json');
    expect(answer.status).toBe(200);
    const document = answer.body;
    expect(document.openapi).toMatch(/^3\./);
    const operations = Object.entries(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`),
    );
    expect(operations.sort()).toEqual(
      [
        'POST /users createUser',
        'GET /users listUsers',
        'GET /users/{id} getUser',
        'DELETE /users/{id} deleteUser',
        'POST /orders createOrder',
        'GET /orders/{id} getOrder',
        'GET /users/{user_id}/orders listOrders',
        'POST /orders/{id}/cancel cancelOrder',
        // The streaming RPCs: Server-Sent Events and an NDJSON body.
        'GET /users/{user_id}/orders:watch watchOrders',
        'POST /users:import importUsers',
        'GET /healthz healthz',
        'GET /readyz readyz',
      ].sort(),
    );
    // Every reference resolves, and request bodies use the schemas Fastify validates with.
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]!);
    expect(refs.filter((name) => !document.components.schemas[name])).toEqual([]);
    expect(document.components.schemas.CreateUserRequest.required).toEqual(['email', 'name']);
    const createOrder = document.paths['/orders'].post;
    // Both creating routes publish the one Idempotency-Key schema they are validated with.
    const idempotencyKey = { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[!-~]*$' } };
    expect(createOrder.parameters).toContainEqual(expect.objectContaining(idempotencyKey));
    expect(document.paths['/users'].post.parameters).toContainEqual(expect.objectContaining(idempotencyKey));
    expect(Object.keys(createOrder.responses).sort()).toEqual(['201', '400', '401', '403', '413', '415', '422', '503', '504']);
    expect(createOrder.responses['422'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
  });

  it("states each operation's security from its RPC's access rule, with the scheme of the issuer the edge trusts", async () => {
    const document = (await stack.api.get('/openapi.json')).body;
    // The scheme names the issuer's discovery document, and that is where the issuer publishes it.
    const issuer = stack.services.gatewayEnv['AUTH_ISSUER'];
    const { openIdConnectUrl } = document.components.securitySchemes[OIDC_SCHEME];
    const discovery = await fetch(openIdConnectUrl);
    expect([discovery.status, ((await discovery.json()) as { issuer: string }).issuer]).toEqual([200, issuer]);
    expect(document.components.securitySchemes[BEARER_SCHEME]).toMatchObject({ type: 'http', scheme: 'bearer' });

    const routes = REST_SERVICES.flatMap(({ service }) => restRoutesOf(service));
    const stated = routes.map((route) => {
      const operation = document.paths[route.template][route.verb.toLowerCase()];
      return { route: `${route.verb} ${route.template}`, security: operation.security, adminNote: /\bAdmin only\b.*`admin` role/.test(operation.description) };
    });
    expect(stated).toEqual(
      routes.map((route) => {
        const rule = accessOf(route.method);
        return { route: `${route.verb} ${route.template}`, security: [{ [OIDC_SCHEME]: [...rule.scopes] }, { [BEARER_SCHEME]: [] }], adminNote: rule.adminOnly };
      }),
    );
    // Not a vacuous comparison: both kinds of rule are there, and every scope is named somewhere.
    expect(new Set(stated.map((s) => s.adminNote))).toEqual(new Set([true, false]));
    expect(new Set(stated.flatMap((s) => s.security[0][OIDC_SCHEME]))).toEqual(new Set(['users:read', 'users:write', 'orders:read', 'orders:write']));
    // The probes are open, and say so.
    expect([document.paths['/healthz'].get.security, document.paths['/readyz'].get.security]).toEqual([[], []]);
  });

  it('serves Swagger UI at /docs with its assets from the package on disk', async () => {
    const page = await stack.api.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // @nestjs/swagger's page: its init script carries the document and names /openapi.json.
    expect(page.text).toContain('swagger-ui-init.js');
    const init = await stack.api.get('/docs/swagger-ui-init.js');
    expect(init.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(init.text).toContain('"swaggerUrl": "/openapi.json"');
    expect(init.text).toContain('"operationId": "createOrder"');
    // Every file the page loads is served.
    const loaded = [...page.text.matchAll(/(?:href|src)="\.\/docs\/([\w.-]+)"/g)].map((m) => m[1]!);
    expect(loaded).toEqual(expect.arrayContaining(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui-init.js']));
    for (const asset of loaded) expect([asset, (await fetch(`${stack.gateway.url}/docs/${asset}`)).status]).toEqual([asset, 200]);
    const bundle = await fetch(`${stack.gateway.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect((await stack.api.get('/docs/package.json')).status).toBe(404);
    expect((await stack.api.get('/docs/..%2Fpackage.json')).status).toBe(404);
  });

  it('/healthz answers without asking any upstream; /readyz reports both upstreams SERVING', async () => {
    expect(await stack.api.get('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await stack.api.get('/readyz')).toMatchObject({
      status: 200,
      body: { status: 'ready', upstreams: { 'user-service': 'SERVING', 'order-service': 'SERVING' } },
    });
  });

  it('returns a valid request id from the caller, and replaces an unusable one', async () => {
    const kept = await stack.api.get('/healthz', { headers: { 'x-request-id': 'caller-id.42' } });
    expect(kept.headers.get('x-request-id')).toBe('caller-id.42');
    const replaced = await stack.api.get('/healthz', { headers: { 'x-request-id': 'bad id with spaces and "quotes"' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await stack.api.get('/nope');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.body.requestId).toBe(generated.headers.get('x-request-id'));
  });
}

import { SERVICES } from '@acme/contracts';
import { fastifyPath, fillTemplate, restRoutesOf } from './rest-routes';

// The route table the gateway serves, as the protos' google.api.http rules and the edge's conventions make it.
describe('restRoutesOf', () => {
  const table = (service: (typeof SERVICES)[keyof typeof SERVICES]) =>
    restRoutesOf(service).map((r) => ({
      rpc: r.method.name,
      kind: r.kind,
      route: `${r.verb} ${r.template}`,
      status: r.status,
      path: r.pathFields.map((f) => f.name),
      query: r.queryFields.map((f) => f.name),
      body: r.bodyFields.map((f) => f.name),
      key: r.idempotencyKey && (r.idempotencyKey.generated ? 'generated when absent' : 'optional'),
      location: r.locationTemplate,
      ...(r.lineField ? { line: r.lineField.name, failures: r.failureList?.name } : {}),
      ...(r.resume ? { resume: `${r.resume.request.name} <- Last-Event-ID, event id <- ${r.resume.eventId.name}` } : {}),
    }));

  it('user-service: create with an optional key, read, list by query, delete with no answer, import from lines', () => {
    expect(table(SERVICES.user)).toEqual([
      { rpc: 'CreateUser', kind: 'unary', route: 'POST /users', status: 201, path: [], query: [], body: ['email', 'name'], key: 'optional', location: '/users/{id}' },
      { rpc: 'GetUser', kind: 'unary', route: 'GET /users/{id}', status: 200, path: ['id'], query: [], body: [], key: undefined, location: undefined },
      { rpc: 'ListUsers', kind: 'unary', route: 'GET /users', status: 200, path: [], query: ['page_size', 'page_token'], body: [], key: undefined, location: undefined },
      { rpc: 'DeleteUser', kind: 'unary', route: 'DELETE /users/{id}', status: 204, path: ['id'], query: [], body: [], key: undefined, location: undefined },
      // Each NDJSON line is the request's `user`; a line the edge cannot read is reported in `failed`, by its index.
      { rpc: 'ImportUsers', kind: 'client_stream', route: 'POST /users:import', status: 200, path: [], query: [], body: [], key: undefined, location: undefined, line: 'user', failures: 'failed' },
    ]);
  });

  it('order-service: the required key is made by the edge when absent; cancel takes no body; watch as events', () => {
    expect(table(SERVICES.order)).toEqual([
      { rpc: 'CreateOrder', kind: 'unary', route: 'POST /orders', status: 201, path: [], query: [], body: ['user_id', 'items'], key: 'generated when absent', location: '/orders/{id}' },
      { rpc: 'GetOrder', kind: 'unary', route: 'GET /orders/{id}', status: 200, path: ['id'], query: [], body: [], key: undefined, location: undefined },
      { rpc: 'ListOrders', kind: 'unary', route: 'GET /users/{user_id}/orders', status: 200, path: ['user_id'], query: ['page_size', 'page_token'], body: [], key: undefined, location: undefined },
      { rpc: 'CancelOrder', kind: 'unary', route: 'POST /orders/{id}/cancel', status: 200, path: ['id'], query: [], body: [], key: undefined, location: undefined },
      // Server-Sent Events; the query's resume_token is the fallback for clients without EventSource.
      {
        rpc: 'WatchOrders',
        kind: 'server_stream',
        route: 'GET /users/{user_id}/orders:watch',
        status: 200,
        path: ['user_id'],
        query: ['resume_token'],
        body: [],
        key: undefined,
        location: undefined,
        resume: 'resume_token <- Last-Event-ID, event id <- resume_token',
      },
    ]);
  });

  it('turns templates into Fastify paths and fills them URL-encoded', () => {
    expect(fastifyPath('/users/{user_id}/orders')).toBe('/users/:user_id/orders');
    // A custom method's colon is literal: Fastify's router takes `::` for it.
    expect(fastifyPath('/users/{user_id}/orders:watch')).toBe('/users/:user_id/orders::watch');
    expect(fastifyPath('/users:import')).toBe('/users::import');
    expect(fillTemplate('/orders/{id}', () => 'a/b c')).toBe('/orders/a%2Fb%20c');
  });
});

import { SERVICES } from '@acme/contracts';
import { fastifyPath, fillTemplate, restRoutesOf } from './rest-routes';

// The route table the gateway serves, as the protos' google.api.http rules and the edge's conventions make it.
describe('restRoutesOf', () => {
  const table = (service: (typeof SERVICES)[keyof typeof SERVICES]) =>
    restRoutesOf(service).map((r) => ({
      rpc: r.method.name,
      route: `${r.verb} ${r.template}`,
      status: r.status,
      path: r.pathFields.map((f) => f.name),
      query: r.queryFields.map((f) => f.name),
      body: r.bodyFields.map((f) => f.name),
      key: r.idempotencyKey && (r.idempotencyKey.generated ? 'generated when absent' : 'optional'),
      location: r.locationTemplate,
    }));

  it('user-service: create with an optional key, read, list by query, delete with no answer', () => {
    expect(table(SERVICES.user)).toEqual([
      { rpc: 'CreateUser', route: 'POST /users', status: 201, path: [], query: [], body: ['email', 'name'], key: 'optional', location: '/users/{id}' },
      { rpc: 'GetUser', route: 'GET /users/{id}', status: 200, path: ['id'], query: [], body: [], key: undefined, location: undefined },
      { rpc: 'ListUsers', route: 'GET /users', status: 200, path: [], query: ['page_size', 'page_token'], body: [], key: undefined, location: undefined },
      { rpc: 'DeleteUser', route: 'DELETE /users/{id}', status: 204, path: ['id'], query: [], body: [], key: undefined, location: undefined },
    ]);
  });

  it('order-service: the required key is made by the edge when absent; cancel takes no body', () => {
    expect(table(SERVICES.order)).toEqual([
      { rpc: 'CreateOrder', route: 'POST /orders', status: 201, path: [], query: [], body: ['user_id', 'items'], key: 'generated when absent', location: '/orders/{id}' },
      { rpc: 'GetOrder', route: 'GET /orders/{id}', status: 200, path: ['id'], query: [], body: [], key: undefined, location: undefined },
      { rpc: 'ListOrders', route: 'GET /users/{user_id}/orders', status: 200, path: ['user_id'], query: ['page_size', 'page_token'], body: [], key: undefined, location: undefined },
      { rpc: 'CancelOrder', route: 'POST /orders/{id}/cancel', status: 200, path: ['id'], query: [], body: [], key: undefined, location: undefined },
    ]);
  });

  it('turns templates into Fastify paths and fills them URL-encoded', () => {
    expect(fastifyPath('/users/{user_id}/orders')).toBe('/users/:user_id/orders');
    expect(fillTemplate('/orders/{id}', () => 'a/b c')).toBe('/orders/a%2Fb%20c');
  });
});

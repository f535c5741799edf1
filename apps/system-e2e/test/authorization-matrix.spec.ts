import { status } from '@grpc/grpc-js';
import { SERVICES } from '@acme/contracts';
import { ADMIN_ROLE, grpcStatusOf, PROBLEM_CONTENT_TYPE, statusName } from '@acme/grpc-kit';
import { freshTestDatabases, launchSystem, type RunningSystem } from '@acme/testing';
import { AuthorizationFixtures, type Caller, type DirectClients, newOrderRequest, newUserRequest, type Owner } from './support/authorization-fixtures';
import { ObservedMatrix } from './support/observed-matrix';

const GATEWAY = 'api-gateway';

// Who may do what (issue 12 items 3 and 9), against real processes: the
// development identity provider's tokens, the gateway, user-service and
// order-service over loopback, real Postgres. Once through the gateway,
// every REST route by every kind of caller, and once straight to the
// services over gRPC: the services check the same rules themselves, so going
// around the gateway gains nothing. Each refusal must say what is missing.

// What a refusal names (its problem detail, or its gRPC status message).
const NO_TOKEN = /needs an access token: send "authorization: Bearer <token>"/i;
const scope = (name: string) => new RegExp(`needs the scope "${name}", which the access token does not grant`);
const adminRole = (caller: Caller) => new RegExp(`needs the "${ADMIN_ROLE}" role, which the caller \\(${caller}\\) does not have`);
const othersUser = (caller: Caller) => new RegExp(`^user [0-9a-f-]{36} belongs to another user: the caller \\(${caller}\\) acts only for its own user`);

/**
 * The matrix's column: the caller, and for a user without the admin role
 * (alice, bob) whose resource when it is not its own; nobody, the reader and
 * the admin are answered alike whoever's it is.
 */
const columnOf = (caller: Caller, on: Owner | undefined) => ((caller === 'alice' || caller === 'bob') && on !== undefined && on !== caller ? `${caller}→${on}` : caller);
const COLUMNS = ['none', 'alice', 'alice→bob', 'alice→spare', 'bob', 'bob→alice', 'reader', 'admin'];

interface EdgeCase {
  /** As the OpenAPI document names it: verb and path template. */
  readonly route: string;
  readonly as: Caller;
  /** Whose user (or order, for /orders/{id}) the path names; for POST /orders, whom the order is for. */
  readonly on?: Owner;
  readonly status: number;
  /** A refusal's problem detail. */
  readonly names?: RegExp;
}

const e = (route: string, as: Caller, on: Owner | undefined, statusCode: number, names?: RegExp): EdgeCase => ({
  route,
  as,
  ...(on ? { on } : {}),
  status: statusCode,
  ...(names ? { names } : {}),
});

/** Routes whose case changes what it names: each such case gets a fresh order or user. */
const CHANGES_ITS_TARGET = new Set(['POST /orders/{id}/cancel', 'DELETE /users/{id}']);

// Reads first, then what changes things, deletions last.
const EDGE_CASES: EdgeCase[] = [
  e('POST /users', 'none', undefined, 401, NO_TOKEN),
  e('POST /users', 'reader', undefined, 403, scope('users:write')),
  // alice registered in beforeAll: a subject has one user.
  e('POST /users', 'alice', undefined, 409, /^the caller \(alice\) is already registered as user [0-9a-f-]{36}$/),
  e('POST /users', 'admin', undefined, 201),

  e('GET /users', 'none', undefined, 401, NO_TOKEN),
  e('GET /users', 'alice', undefined, 403, adminRole('alice')),
  e('GET /users', 'reader', undefined, 403, adminRole('reader')),
  e('GET /users', 'admin', undefined, 200),

  e('GET /users/{id}', 'none', 'alice', 401, NO_TOKEN),
  e('GET /users/{id}', 'alice', 'alice', 200),
  e('GET /users/{id}', 'alice', 'bob', 403, othersUser('alice')),
  e('GET /users/{id}', 'bob', 'alice', 403, othersUser('bob')),
  e('GET /users/{id}', 'reader', 'alice', 403, othersUser('reader')),
  e('GET /users/{id}', 'admin', 'bob', 200),

  e('GET /orders/{id}', 'none', 'alice', 401, NO_TOKEN),
  e('GET /orders/{id}', 'alice', 'alice', 200),
  e('GET /orders/{id}', 'alice', 'bob', 403, othersUser('alice')),
  e('GET /orders/{id}', 'reader', 'alice', 403, othersUser('reader')),
  e('GET /orders/{id}', 'admin', 'bob', 200),

  e('GET /users/{user_id}/orders', 'none', 'alice', 401, NO_TOKEN),
  e('GET /users/{user_id}/orders', 'alice', 'alice', 200),
  e('GET /users/{user_id}/orders', 'alice', 'bob', 403, othersUser('alice')),
  e('GET /users/{user_id}/orders', 'admin', 'bob', 200),

  e('GET /users/{user_id}/orders:watch', 'none', 'alice', 401, NO_TOKEN),
  e('GET /users/{user_id}/orders:watch', 'alice', 'alice', 200),
  e('GET /users/{user_id}/orders:watch', 'alice', 'bob', 403, othersUser('alice')),
  e('GET /users/{user_id}/orders:watch', 'admin', 'bob', 200),

  e('POST /orders', 'none', 'alice', 401, NO_TOKEN),
  e('POST /orders', 'reader', 'alice', 403, scope('orders:write')),
  e('POST /orders', 'alice', 'bob', 403, othersUser('alice')),
  e('POST /orders', 'alice', 'alice', 201),
  e('POST /orders', 'admin', 'bob', 201),

  e('POST /orders/{id}/cancel', 'none', 'alice', 401, NO_TOKEN),
  e('POST /orders/{id}/cancel', 'reader', 'alice', 403, scope('orders:write')),
  e('POST /orders/{id}/cancel', 'alice', 'bob', 403, othersUser('alice')),
  e('POST /orders/{id}/cancel', 'alice', 'alice', 200),
  e('POST /orders/{id}/cancel', 'admin', 'bob', 200),

  e('POST /users:import', 'none', undefined, 401, NO_TOKEN),
  e('POST /users:import', 'reader', undefined, 403, scope('users:write')),
  e('POST /users:import', 'alice', undefined, 403, adminRole('alice')),
  e('POST /users:import', 'admin', undefined, 200),

  e('DELETE /users/{id}', 'none', 'spare', 401, NO_TOKEN),
  e('DELETE /users/{id}', 'reader', 'spare', 403, scope('users:write')),
  e('DELETE /users/{id}', 'alice', 'alice', 403, adminRole('alice')),
  e('DELETE /users/{id}', 'alice', 'spare', 403, adminRole('alice')),
  e('DELETE /users/{id}', 'admin', 'spare', 204),
];

interface RpcCall {
  /** What the id a case passes names, if the RPC takes one. */
  readonly takes?: 'user' | 'order';
  /** The call changes what it names: each case gets a fresh one. */
  readonly changes?: true;
  readonly call: (clients: DirectClients, id: string) => Promise<unknown>;
}

/** Each RPC straight to its service, as a case calls it, on the id the case names. */
const RPCS = {
  'UserService.CreateUser': { call: (c) => c.users.createUser(newUserRequest()) },
  'UserService.GetUser': { takes: 'user', call: (c, id) => c.users.getUser({ id }) },
  'UserService.ListUsers': { call: (c) => c.users.listUsers({ pageSize: 1, pageToken: '' }) },
  'UserService.DeleteUser': { takes: 'user', changes: true, call: (c, id) => c.users.deleteUser({ id }) },
  'UserService.ImportUsers': {
    call: (c) =>
      c.users.importUsers(
        (async function* () {
          yield { user: newUserRequest() };
        })(),
      ),
  },
  'OrderService.CreateOrder': { takes: 'user', call: (c, id) => c.orders.createOrder(newOrderRequest(id)) },
  'OrderService.GetOrder': { takes: 'order', call: (c, id) => c.orders.getOrder({ id }) },
  'OrderService.ListOrders': { takes: 'user', call: (c, id) => c.orders.listOrders({ userId: id, pageSize: 1, pageToken: '' }) },
  'OrderService.CancelOrder': { takes: 'order', changes: true, call: (c, id) => c.orders.cancelOrder({ id }) },
  'OrderService.WatchOrders': {
    takes: 'user',
    // Accepted (its response headers came) or refused: that is the answer; the stream is not read.
    call: async (c, id) => {
      const stream = c.orders.watchOrders({ userId: id, resumeToken: '' });
      try {
        await stream.accepted;
      } finally {
        stream.cancel();
      }
    },
  },
} satisfies Record<string, RpcCall>;

type Rpc = keyof typeof RPCS;
const ALL_RPCS = Object.keys(RPCS) as Rpc[];

interface GrpcCase {
  readonly rpc: Rpc;
  readonly as: Caller;
  readonly on?: Owner;
  readonly code: status;
  readonly names?: RegExp;
}

const g = (rpc: Rpc, as: Caller, on: Owner | undefined, code: status, names?: RegExp): GrpcCase => ({ rpc, as, ...(on ? { on } : {}), code, ...(names ? { names } : {}) });

/** Someone else's: bob's user or order, or a spare user to delete. */
const someoneElses = (rpc: Rpc): Owner | undefined => {
  const { takes, changes } = RPCS[rpc] as RpcCall;
  if (takes === undefined) return undefined;
  return takes === 'user' && changes ? 'spare' : 'bob';
};

const GRPC_CASES: GrpcCase[] = [
  // Nobody: refused before any handler, for every RPC.
  ...ALL_RPCS.map((rpc) => g(rpc, 'none', someoneElses(rpc), status.UNAUTHENTICATED, NO_TOKEN)),
  // alice for bob: the owner check, in the service that holds the resource (order-service asks user-service).
  g('UserService.GetUser', 'alice', 'bob', status.PERMISSION_DENIED, othersUser('alice')),
  g('OrderService.ListOrders', 'alice', 'bob', status.PERMISSION_DENIED, othersUser('alice')),
  g('OrderService.CreateOrder', 'alice', 'bob', status.PERMISSION_DENIED, othersUser('alice')),
  g('OrderService.GetOrder', 'alice', 'bob', status.PERMISSION_DENIED, othersUser('alice')),
  g('OrderService.CancelOrder', 'alice', 'bob', status.PERMISSION_DENIED, othersUser('alice')),
  g('OrderService.WatchOrders', 'alice', 'bob', status.PERMISSION_DENIED, othersUser('alice')),
  // alice on her own: allowed.
  g('UserService.GetUser', 'alice', 'alice', status.OK),
  g('OrderService.ListOrders', 'alice', 'alice', status.OK),
  g('OrderService.CreateOrder', 'alice', 'alice', status.OK),
  g('OrderService.GetOrder', 'alice', 'alice', status.OK),
  g('OrderService.CancelOrder', 'alice', 'alice', status.OK),
  g('OrderService.WatchOrders', 'alice', 'alice', status.OK),
  // What only an admin may do.
  g('UserService.ListUsers', 'alice', undefined, status.PERMISSION_DENIED, adminRole('alice')),
  g('UserService.DeleteUser', 'alice', 'spare', status.PERMISSION_DENIED, adminRole('alice')),
  g('UserService.ImportUsers', 'alice', undefined, status.PERMISSION_DENIED, adminRole('alice')),
  // reader writing: the scope is missing.
  g('UserService.CreateUser', 'reader', undefined, status.PERMISSION_DENIED, scope('users:write')),
  g('OrderService.CreateOrder', 'reader', 'alice', status.PERMISSION_DENIED, scope('orders:write')),
  g('UserService.ImportUsers', 'reader', undefined, status.PERMISSION_DENIED, scope('users:write')),
  // The admin: every RPC, for anyone.
  ...ALL_RPCS.map((rpc) => g(rpc, 'admin', someoneElses(rpc), status.OK)),
];

interface EdgeAnswer {
  readonly status: number;
  readonly contentType: string;
  /** The JSON answer (a problem document for a refusal); none for an event stream or 204. */
  readonly json?: Record<string, unknown>;
}

describe('authorization: every route and RPC by every kind of caller (real processes, real tokens)', () => {
  let system: RunningSystem;
  let fixtures: AuthorizationFixtures;
  const edgeMatrix = new ObservedMatrix('REST through the gateway (route x caller -> HTTP status):', COLUMNS);
  const grpcMatrix = new ObservedMatrix('gRPC straight to the services (RPC x caller -> status):', COLUMNS);

  /** One request through the gateway; an event stream is answered once its headers came, and closed. */
  async function send(route: string, as: Caller, on: Owner | undefined): Promise<EdgeAnswer> {
    const [verb = '', template = ''] = route.split(' ');
    const kind = template.startsWith('/orders/{id}') ? 'order' : 'user';
    const id = /\{(id|user_id)\}/.test(template) && on ? await fixtures.target(kind, on, CHANGES_ITS_TARGET.has(route)) : '';
    const headers: Record<string, string> = await fixtures.authorization(as);
    let body: string | undefined;
    // The REST bodies: a CreateUser without its idempotency key (a header at the edge), an order for `on`'s user.
    const { email, name } = newUserRequest();
    if (route === 'POST /users') body = JSON.stringify({ email, name });
    if (route === 'POST /orders' && on) body = JSON.stringify({ items: [{ sku: 'MATRIX-1', quantity: 1, unitPriceCents: '100' }], userId: await fixtures.target('user', on, false) });
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (route === 'POST /users:import') {
      body = `${JSON.stringify({ email, name })}\n`;
      headers['content-type'] = 'application/x-ndjson';
    }
    const response = await fetch(`${fixtures.gateway}${template.replace(/\{(id|user_id)\}/, id)}`, { method: verb, headers, ...(body !== undefined ? { body } : {}) });
    const contentType = response.headers.get('content-type') ?? '';
    if (contentType.startsWith('text/event-stream')) {
      await response.body?.cancel();
      return { status: response.status, contentType };
    }
    const text = await response.text();
    return { status: response.status, contentType, ...(text !== '' && contentType.includes('json') ? { json: JSON.parse(text) as Record<string, unknown> } : {}) };
  }

  beforeAll(async () => {
    system = await launchSystem({
      apps: ['user-service', 'order-service', GATEWAY],
      databases: freshTestDatabases('authz'),
      env: { LOG_LEVEL: 'warn' },
      appEnv: { [GATEWAY]: { RATE_LIMIT_MAX: '0' } },
    });
    fixtures = new AuthorizationFixtures(system, `http://${system.address(GATEWAY)}`);
    // alice and bob register themselves and place an order each, through the gateway as a client would.
    for (const who of ['alice', 'bob'] as const) {
      const registered = await send('POST /users', who, undefined);
      edgeMatrix.record('POST /users', who, registered.status);
      expect(registered.status).toBe(201);
      fixtures.userOf[who] = String(registered.json?.['id']);
      const ordered = await send('POST /orders', who, who);
      expect(ordered).toMatchObject({ status: 201, json: { userId: fixtures.userOf[who] } });
      fixtures.orderOf[who] = String(ordered.json?.['id']);
    }
  }, 90_000);

  afterAll(async () => {
    // The figures the report quotes: what this run observed.
    console.log(`${edgeMatrix.render()}\n\n${grpcMatrix.render()}`);
    fixtures?.close();
    await system?.stop();
  });

  it('covers every route the gateway documents as secured, each refused without a token and allowed to the admin', async () => {
    const document = (await (await fetch(`${fixtures.gateway}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security: unknown[] }>> };
    const secured = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([verb, operation]) => (operation.security.length > 0 ? [`${verb.toUpperCase()} ${path}`] : [])),
    );
    const tabled = [...new Set(EDGE_CASES.map((c) => c.route))];
    expect(tabled.sort()).toEqual(secured.sort());
    for (const route of tabled) {
      expect([route, EDGE_CASES.some((c) => c.route === route && c.as === 'none' && c.status === 401)]).toEqual([route, true]);
      expect([route, EDGE_CASES.some((c) => c.route === route && c.as === 'admin' && c.status < 300)]).toEqual([route, true]);
    }
  });

  it.each(EDGE_CASES.map((c) => [`${c.route} as ${columnOf(c.as, c.on)} -> ${c.status}`, c] as const))('%s', async (_title, { route, as, on, status: expected, names }) => {
    const answer = await send(route, as, on);
    edgeMatrix.record(route, columnOf(as, on), answer.status);
    expect(answer.status).toBe(expected);
    // Every refusal is a problem document saying what is missing.
    if (expected >= 400) {
      expect([answer.contentType.split(';')[0], answer.json?.['detail']]).toEqual([PROBLEM_CONTENT_TYPE, expect.stringMatching(names ?? /./)]);
    }
    if (route.endsWith(':watch') && expected === 200) expect(answer.contentType).toMatch(/^text\/event-stream/);
  });

  it.each(GRPC_CASES.map((c) => [`${c.rpc} as ${columnOf(c.as, c.on)} -> ${statusName(c.code)}`, c] as const))('%s', async (_title, { rpc, as, on, code, names }) => {
    const { takes, changes, call } = RPCS[rpc] as RpcCall;
    const id = takes && on ? await fixtures.target(takes, on, changes === true) : '';
    const clients = await fixtures.direct(as);
    const outcome = await call(clients, id).then(
      () => ({ code: status.OK, details: '' }),
      (error: unknown) => ({ code: grpcStatusOf(error), details: (error as { details?: string }).details ?? String(error) }),
    );
    grpcMatrix.record(rpc, columnOf(as, on), outcome.code === undefined ? 'not gRPC' : statusName(outcome.code));
    expect(outcome).toEqual({ code, details: code === status.OK ? '' : expect.stringMatching(names ?? /./) });
  });

  it('tables every RPC of both services', () => {
    const rpcs = [SERVICES.user, SERVICES.order].flatMap((service) => service.methods.map((method) => `${service.name}.${method.name}`));
    expect([...new Set(GRPC_CASES.map((c) => c.rpc))].sort()).toEqual(rpcs.sort());
  });
});

import { setTimeout as delay } from 'node:timers/promises';
import type { RequestKind, RequestRecord } from '../history/records';
import type { Prng } from '../plan/prng';
import { callGateway, type GatewayAnswer } from './gateway-call';

export interface ClientPlan {
  readonly client: number;
  readonly prng: Prng;
  /** Base URLs of the gateways; each request goes to one drawn at random. */
  readonly gateways: readonly string[];
  /** The development provider's admin: it may create and delete any user and act for each (see proto/acme/*\/v1 access rules). */
  readonly token: string;
  /** Wall clock (epoch ms) after which no request starts (asked before each: a slow repair extends the run). */
  readonly untilMs: () => number;
  readonly maxRequests: number;
  /** One request per interval at most (a steady pace, not as fast as possible: the machine is shared). */
  readonly intervalMs: number;
  readonly record: (record: RequestRecord) => void;
  /** Its `index`-th user (counting attempts, from 1) was created. */
  readonly userCreated?: (index: number, userId: string) => void;
}

/** What the next request does, drawn by weight among those the client's state allows. */
const WEIGHTS: Readonly<Record<RequestKind, number>> = {
  'create-user': 10,
  'create-order': 35,
  'retry-order': 15,
  'cancel-order': 10,
  'list-orders': 15,
  'delete-user': 5,
  'order-deleted-user': 3,
};

/** A client keeps at most this many live users (and at least one, once it has created any). */
const MAX_LIVE_USERS = 6;
/** Attempts remembered for retries (the most recent ones). */
const MAX_RETRYABLE = 50;
/** After a gateway left a request unanswered (down, or going), the client sends to the other one this long. */
const AVOID_GATEWAY_MS = 1_000;

interface Attempt {
  readonly userId: string;
  readonly key: string;
  readonly items: readonly { sku: string; quantity: number; unitPriceCents: string }[];
}

const okay = (status: number) => status >= 200 && status < 300;
const stringField = (answer: GatewayAnswer, field: string) => (typeof answer.body?.[field] === 'string' ? (answer.body[field] as string) : undefined);

/**
 * One virtual client: a loop bounded by `maxRequests` and `untilMs`, each
 * turn one request through a gateway, chosen by weight from what its own
 * state allows. Every request is recorded, answered or not.
 */
export async function runVirtualClient(plan: ClientPlan): Promise<void> {
  const { prng, client } = plan;
  const live: string[] = [];
  /** Deletion asked but not acknowledged: no new orders for them; the deletion is asked again. */
  const deleting: string[] = [];
  const deleted: string[] = [];
  const open: { id: string; userId: string }[] = [];
  /** Every order id answered so far: a retry answers an order again, which may have been cancelled since. */
  const seen = new Set<string>();
  const attempts: Attempt[] = [];
  let users = 0;
  let orders = 0;
  /** Until when each gateway is avoided (epoch ms). */
  const avoid = plan.gateways.map(() => 0);

  const send = async (
    kind: RequestKind,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    fields: Pick<RequestRecord, 'userId' | 'orderId' | 'idempotencyKey'>,
    options: { body?: unknown; idempotencyKey?: string } = {},
  ) => {
    // Drawn whatever happens next, so that one gateway's fault does not shift the seed's later choices.
    const drawn = prng.int(0, plan.gateways.length - 1);
    const now = Date.now();
    const usable = avoid.findIndex((until) => until <= now);
    const gateway = (avoid[drawn] as number) > now && usable >= 0 ? usable : drawn;
    const answer = await callGateway(plan.gateways[gateway] as string, plan.token, method, path, options);
    if (answer.status === 0) avoid[gateway] = Date.now() + AVOID_GATEWAY_MS;
    const orders = answer.body?.['orders'];
    const record: RequestRecord = {
      kind,
      client,
      gateway,
      startMs: answer.startMs,
      endMs: answer.endMs,
      status: answer.status,
      ...(answer.problem === undefined ? {} : { problem: answer.problem }),
      ...(answer.detail === undefined ? {} : { detail: answer.detail }),
      ...fields,
      ...(kind === 'create-user' ? { userId: stringField(answer, 'id') } : {}),
      ...(kind.endsWith('order') || kind === 'order-deleted-user' ? { orderId: stringField(answer, 'id') ?? fields.orderId, orderStatus: stringField(answer, 'status') } : {}),
      ...(Array.isArray(orders) ? { listed: orders.length } : {}),
    };
    plan.record(record);
    return record;
  };

  const placeOrder = async (kind: 'create-order' | 'retry-order' | 'order-deleted-user', attempt: Attempt) => {
    const result = await send(
      kind,
      'POST',
      '/orders',
      { userId: attempt.userId, idempotencyKey: attempt.key },
      { body: { userId: attempt.userId, items: attempt.items }, idempotencyKey: attempt.key },
    );
    if (okay(result.status) && result.orderId && !seen.has(result.orderId)) {
      seen.add(result.orderId);
      if (live.includes(attempt.userId)) open.push({ id: result.orderId, userId: attempt.userId });
    }
  };

  const newAttempt = (userId: string): Attempt => {
    orders++;
    const attempt = { userId, key: `c${client}-o${orders}`, items: [{ sku: `SKU-${prng.int(1, 20)}`, quantity: prng.int(1, 5), unitPriceCents: String(prng.int(1, 10_000)) }] };
    attempts.push(attempt);
    if (attempts.length > MAX_RETRYABLE) attempts.shift();
    return attempt;
  };

  const turns: Record<RequestKind, (() => Promise<void>) | undefined> = {
    'create-user': async () => {
      users++;
      const result = await send('create-user', 'POST', '/users', {}, { body: { email: `c${client}-u${users}@chaos.example.com`, name: `Chaos ${client}.${users}` } });
      if (okay(result.status) && result.userId) {
        live.push(result.userId);
        plan.userCreated?.(users, result.userId);
      }
    },
    'create-order': async () => placeOrder('create-order', newAttempt(prng.pick(live))),
    'retry-order': async () => placeOrder('retry-order', prng.pick(attempts)),
    'order-deleted-user': async () => {
      const userId = prng.pick(deleted);
      orders++;
      await placeOrder('order-deleted-user', { userId, key: `c${client}-o${orders}`, items: [{ sku: 'AFTER-DELETE', quantity: 1, unitPriceCents: '1' }] });
    },
    'cancel-order': async () => {
      const order = prng.pick(open);
      const result = await send('cancel-order', 'POST', `/orders/${order.id}/cancel`, { orderId: order.id, userId: order.userId }, { body: {} });
      if (okay(result.status) || result.status === 422) open.splice(open.indexOf(order), 1);
    },
    'list-orders': async () => {
      await send('list-orders', 'GET', `/users/${prng.pick([...live, ...deleted])}/orders`, {});
    },
    'delete-user': async () => {
      // A deletion left unacknowledged is asked again first.
      const userId = deleting[0] ?? (live.splice(prng.int(0, live.length - 1), 1)[0] as string);
      if (!deleting.includes(userId)) deleting.push(userId);
      const result = await send('delete-user', 'DELETE', `/users/${userId}`, { userId });
      if (okay(result.status) || result.status === 404) {
        deleting.splice(deleting.indexOf(userId), 1);
        deleted.push(userId);
        // order-service cancels its open orders when it learns of the deletion.
        for (let i = open.length - 1; i >= 0; i--) if (open[i]?.userId === userId) open.splice(i, 1);
      }
    },
  };

  const allowed = (kind: RequestKind): boolean => {
    switch (kind) {
      case 'create-user':
        return live.length < MAX_LIVE_USERS;
      case 'create-order':
        return live.length > 0;
      case 'retry-order':
        return attempts.length > 0;
      case 'cancel-order':
        return open.length > 0;
      case 'list-orders':
        return live.length + deleted.length > 0;
      case 'delete-user':
        return deleting.length > 0 || live.length > 1;
      case 'order-deleted-user':
        return deleted.length > 0;
    }
  };

  let nextAt = Date.now();
  for (let i = 0; i < plan.maxRequests && Date.now() < plan.untilMs(); i++) {
    const weights = Object.fromEntries(Object.entries(WEIGHTS).map(([kind, weight]) => [kind, allowed(kind as RequestKind) ? weight : 0])) as Record<RequestKind, number>;
    await turns[prng.weighted(weights)]?.();
    nextAt += plan.intervalMs;
    const wait = nextAt - Date.now();
    if (wait > 0) await delay(wait);
    else nextAt = Date.now(); // behind (slow answers): no burst to catch up
  }
}

import { SERVICES } from '@acme/contracts';
import type { Upstream } from '@acme/grpc-kit';
import { type DemoPrincipal, type RunningSystem, testClient } from '@acme/testing';

/** Who calls: one of the development provider's demo principals, or nobody (no Authorization at all). */
export type Caller = DemoPrincipal | 'none';

/** Whose resource a case acts on: alice's or bob's (their user, or an order of it), or a spare user an admin made, bound to no one. */
export type Owner = 'alice' | 'bob' | 'spare';

/** A caller's gRPC clients, straight to the services (no gateway). */
export interface DirectClients {
  readonly users: Upstream<typeof SERVICES.user>;
  readonly orders: Upstream<typeof SERVICES.order>;
}

const ONE_ITEM = [{ sku: 'MATRIX-1', quantity: 1, unitPriceCents: 100n }];

let made = 0;
/** A CreateUser request no earlier one conflicts with (email and idempotency key unique in this process). */
export const newUserRequest = () => {
  made += 1;
  return { email: `matrix-${made}@example.com`, name: `Matrix ${made}`, idempotencyKey: '' };
};

/** A CreateOrder request for `userId` (its own idempotency key). */
export const newOrderRequest = (userId: string) => {
  made += 1;
  return { userId, idempotencyKey: `matrix-${made}`, items: ONE_ITEM };
};

/**
 * The users and orders the cases act on, in one launched system: alice and
 * bob registered themselves (each user bound to its own token's subject) and
 * placed an order each through the gateway; what a case changes (a cancel,
 * a delete) it gets fresh, made by the admin, so no case depends on another.
 */
export class AuthorizationFixtures {
  readonly userOf: Record<'alice' | 'bob', string> = { alice: '', bob: '' };
  readonly orderOf: Record<'alice' | 'bob', string> = { alice: '', bob: '' };
  private readonly clients = new Map<Caller, DirectClients>();

  constructor(
    private readonly system: RunningSystem,
    readonly gateway: string,
  ) {}

  /** `Authorization` for `caller`'s token with all its scopes; nothing for 'none'. */
  async authorization(caller: Caller): Promise<Record<string, string>> {
    return caller === 'none' ? {} : { authorization: `Bearer ${await this.system.identity.token(caller)}` };
  }

  /** `caller`'s clients of user-service and order-service themselves. */
  async direct(caller: Caller): Promise<DirectClients> {
    let clients = this.clients.get(caller);
    if (!clients) {
      const token = caller === 'none' ? undefined : await this.system.identity.token(caller);
      clients = {
        users: testClient(this.system.address('user-service'), SERVICES.user, token),
        orders: testClient(this.system.address('order-service'), SERVICES.order, token),
      };
      this.clients.set(caller, clients);
    }
    return clients;
  }

  /** The id a case acts on: `owner`'s user or order; `fresh` (the case changes it) makes a new one. */
  async target(kind: 'user' | 'order', owner: Owner, fresh: boolean): Promise<string> {
    const admin = await this.direct('admin');
    if (owner === 'spare') {
      if (kind === 'order') throw new Error('a spare user has no orders: name alice or bob');
      return (await admin.users.createUser(newUserRequest())).id;
    }
    if (kind === 'user') return this.userOf[owner];
    return fresh ? (await admin.orders.createOrder(newOrderRequest(this.userOf[owner]))).id : this.orderOf[owner];
  }

  close(): void {
    for (const { users, orders } of this.clients.values()) {
      users.close();
      orders.close();
    }
  }
}

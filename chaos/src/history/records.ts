import type { FaultKind, FaultTarget, GatewaySignal } from '../plan/fault-schedule';

/** What a virtual client asked the gateway for. */
export type RequestKind =
  | 'create-user'
  | 'delete-user'
  | 'create-order'
  /** The same key and body again, after an earlier attempt (answered or not). */
  | 'retry-order'
  /** A new key for a user whose deletion was acknowledged: must be refused. */
  | 'order-deleted-user'
  | 'cancel-order'
  | 'list-orders';

/** One request and its outcome, as the history's JSON lines hold them. */
export interface RequestRecord {
  readonly kind: RequestKind;
  readonly client: number;
  readonly gateway: number;
  /** Wall clock (ms since the epoch), sent and answered: comparable with the databases' timestamps. */
  readonly startMs: number;
  readonly endMs: number;
  /** HTTP status; 0 when no response came (connection error or the client's own timeout). */
  readonly status: number;
  /** The 4xx/5xx body was an RFC 9457 problem document (application/problem+json with its status). */
  readonly problem?: boolean;
  /** A short reason: the problem's detail, or the connection error. */
  readonly detail?: string;
  readonly userId?: string;
  readonly orderId?: string;
  readonly idempotencyKey?: string;
  /** The order's status in a 2xx answer (CREATED, CANCELLED). */
  readonly orderStatus?: string;
  /** list-orders: how many orders the page held. */
  readonly listed?: number;
}

/** A fault as it really happened (the injector's times, not the plan's). */
export interface FaultRecord {
  readonly id: number;
  readonly kind: FaultKind;
  readonly target: FaultTarget;
  readonly latencyMs?: number;
  readonly signal?: GatewaySignal;
  readonly startMs: number;
  /** When the target was whole again: the proxy restored, the latency removed, the restarted replica ready. */
  readonly endMs: number;
  /** The injection or its undoing failed (e.g. a replica that would not start again). */
  readonly error?: string;
}

/** A message the run published on purpose for the consumer to refuse (it must end in the dead-letter queue). */
export interface PoisonRecord {
  /** The AMQP message-id, a fresh UUID: how the dead-letter queue's copy is recognised. */
  readonly messageId: string;
  /** The AMQP `type` it claims to be. */
  readonly type: string;
  readonly routingKey: string;
  /** Wall clock when it was sent, and when the broker confirmed it. */
  readonly startMs: number;
  readonly endMs: number;
  /** The broker did not confirm it: whether it was enqueued is unknown. */
  readonly error?: string;
}

/** What the databases and the broker hold once the system has settled. */
export interface SettledState {
  readonly orders: readonly { id: string; userId: string; idempotencyKey: string; status: string; createMs: number }[];
  /** order-service's record of UserDeleted events it applied. */
  readonly deletedUsers: readonly string[];
  /** Outbox rows not yet published, per service. */
  readonly pendingOutbox: Readonly<Record<string, number>>;
  /** UserDeleted event ids user-service's outbox holds, and how often order-service's inbox has each. */
  readonly userDeletedEvents: readonly { eventId: string; inboxRows: number }[];
  /** The message-id of every message in each dead-letter queue ("(none)" for one without). */
  readonly deadLettered: Readonly<Record<string, readonly string[]>>;
}

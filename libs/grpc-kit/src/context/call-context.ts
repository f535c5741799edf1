import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import type { Caller } from '../identity/caller';

/** Metadata key (and HTTP header) that carries the request id across every hop. */
export const REQUEST_ID_KEY = 'x-request-id';

/** What a service knows about the call it is handling, available anywhere below the handler. */
export interface CallContext {
  /** Correlates log lines of one request across services. */
  readonly requestId: string;
  /** Absolute deadline (epoch ms) of the incoming call, if the caller set one. */
  readonly deadline: number | undefined;
  /** `Service/Method` (gRPC) or `VERB /route` (HTTP) being handled. */
  readonly method: string;
  /** Who is calling, verified (undefined with AUTH_MODE=off); its token goes with every upstream call. */
  readonly caller?: Caller;
}

const storage = new AsyncLocalStorage<CallContext>();

export function currentCallContext(): CallContext | undefined {
  return storage.getStore();
}

export function runWithCallContext<T>(context: CallContext, fn: () => T): T {
  return storage.run(context, fn);
}

// A request id is echoed into logs and headers: accept only short, printable values.
const VALID_REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/** The caller's request id when it is usable, otherwise a fresh one. */
export function requestIdFrom(value: unknown): string {
  return typeof value === 'string' && VALID_REQUEST_ID.test(value) ? value : randomUUID();
}

export function requestIdFromMetadata(metadata: Metadata | undefined): string {
  return requestIdFrom(metadata?.get(REQUEST_ID_KEY)[0]);
}

/** grpc-js reports "no deadline" as Infinity; normalise absent/infinite to undefined. */
export function normaliseDeadline(deadline: Date | number | undefined): number | undefined {
  if (deadline === undefined) return undefined;
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}

import type { FaultRecord, RequestKind } from '../history/records';

/** Statuses a fault may cause: the system is unavailable, too slow, or shedding load. Any other 5xx is a bug. */
export const FAULT_STATUSES: readonly number[] = [503, 504, 429];

/** A fault's path: the requests that need its target to succeed; its recovery is the next success of one of them. */
export function faultPath(fault: Pick<FaultRecord, 'kind' | 'target'>): readonly RequestKind[] {
  const target = fault.target;
  switch (target.kind) {
    case 'replica':
    case 'database':
      return target.app === 'user-service' ? ['create-user', 'delete-user', 'create-order'] : ['create-order', 'retry-order', 'cancel-order', 'list-orders'];
    case 'user-service path':
      return ['create-user', 'delete-user', 'create-order'];
    case 'broker':
      // Publishing is asynchronous (outbox): the writes that fill the outbox are its path; its effect is checked as the outbox drained.
      return ['create-user', 'delete-user', 'create-order'];
  }
}

import type { FaultRecord, RequestKind, RequestRecord } from '../history/records';

/** Statuses a fault may cause: the system is unavailable, too slow, or shedding load. Any other 5xx is a bug. */
export const FAULT_STATUSES: readonly number[] = [503, 504, 429];

const ALL_KINDS: readonly RequestKind[] = ['create-user', 'delete-user', 'create-order', 'retry-order', 'order-deleted-user', 'cancel-order', 'list-orders'];

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
    case 'gateway':
      // Every kind, through that gateway (faultGateway).
      return ALL_KINDS;
  }
}


/** The gateway a fault's path goes through; undefined: either. */
export const faultGateway = (fault: Pick<FaultRecord, 'target'>): number | undefined => (fault.target.kind === 'gateway' ? fault.target.gateway : undefined);

/** Whether `request` is on `fault`'s path. */
export function onPath(fault: Pick<FaultRecord, 'kind' | 'target'>, request: Pick<RequestRecord, 'kind' | 'gateway'>): boolean {
  const gateway = faultGateway(fault);
  return faultPath(fault).includes(request.kind) && (gateway === undefined || request.gateway === gateway);
}

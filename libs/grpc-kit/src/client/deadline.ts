import { currentCallContext } from '../context/call-context';
import { DeadlineExceededError } from '../errors/status-errors';

/**
 * Deadline for an outgoing call: the configured budget for this upstream, but
 * never later than the deadline of the call being handled, so a caller that
 * gives up is not kept waiting for work nobody will read. Fails at once when
 * the incoming deadline has already passed.
 */
export function outgoingDeadline(budgetMs: number, target: string, now = Date.now()): number {
  const own = now + budgetMs;
  const incoming = currentCallContext()?.deadline;
  if (incoming === undefined) return own;
  if (incoming <= now) throw new DeadlineExceededError(`deadline exceeded before calling ${target}`);
  return Math.min(own, incoming);
}

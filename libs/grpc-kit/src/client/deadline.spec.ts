import { status } from '@grpc/grpc-js';
import { runWithCallContext } from '../context/call-context';
import { outgoingDeadline } from './deadline';

const within = (deadline: number | undefined) => (fn: () => number) =>
  runWithCallContext({ requestId: 'r', deadline, method: '/x.Y/Z' }, fn);

describe('outgoingDeadline', () => {
  const now = 1_000_000;

  it('uses the budget when no call is being handled', () => {
    expect(outgoingDeadline(500, 'up', now)).toBe(now + 500);
  });

  it('uses the budget when the incoming call has no deadline', () => {
    expect(within(undefined)(() => outgoingDeadline(500, 'up', now))).toBe(now + 500);
  });

  it('never exceeds what is left of the incoming deadline', () => {
    expect(within(now + 200)(() => outgoingDeadline(500, 'up', now))).toBe(now + 200);
    expect(within(now + 900)(() => outgoingDeadline(500, 'up', now))).toBe(now + 500);
  });

  it('fails fast with DEADLINE_EXCEEDED when the incoming deadline has passed', () => {
    expect(() => within(now)(() => outgoingDeadline(500, 'acme.user.v1.UserService', now))).toThrow(
      expect.objectContaining({ code: status.DEADLINE_EXCEEDED, message: expect.stringContaining('acme.user.v1.UserService') }),
    );
  });
});

import { startGroups } from './start-order';

describe('startGroups', () => {
  const calls: Record<string, string[]> = { gateway: ['orders', 'users'], orders: ['users'], users: [], reports: [] };
  const upstreamsOf = (app: string) => calls[app] ?? [];

  it('starts upstreams first, independent apps together', () => {
    expect(startGroups(['gateway', 'orders', 'users', 'reports'], upstreamsOf)).toEqual([['users', 'reports'], ['orders'], ['gateway']]);
  });

  it('names an upstream that is not launched, and a cycle', () => {
    expect(() => startGroups(['orders'], upstreamsOf)).toThrow('orders calls users, which is not among the apps launched (orders)');
    expect(() => startGroups(['a', 'b'], (app) => (app === 'a' ? ['b'] : ['a']))).toThrow('the apps call each other in a cycle: a, b');
  });
});

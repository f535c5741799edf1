import { StackUnderTest } from './stack-under-test';

const GET_USER_OK = /"method":"\/acme\.user\.v1\.UserService\/GetUser","code":"OK"/;

// `npm start -- --replicas user-service=2`: the gateway's round_robin channel
// spreads calls over both replicas, and one of them dying costs the callers nothing.
describe('local stack with replicas (npm start -- --replicas)', () => {
  let stack: StackUnderTest;

  beforeAll(async () => {
    // debug: an access line per call, which says which replica served it
    stack = await StackUnderTest.start(['--replicas', 'user-service=2'], { LOG_LEVEL: 'debug' });
  });
  afterAll(() => stack?.cleanUp());

  /** GetUser calls each replica served so far, by the name its output lines carry. */
  const servedBy = (name: string) =>
    stack.output.split('\n').filter((line) => line.includes(`[${name}]`) && GET_USER_OK.test(line)).length;

  it('lists both replicas and the address list their callers get, and spreads calls over them', async () => {
    const second = /^\s+(user-service:\d+)\s+grpc\s+127\.0\.0\.1:(\d+)\s/m.exec(stack.output);
    expect(second).not.toBeNull();
    const [, secondName, secondPort] = second!;
    expect(stack.output).toContain(`user-service's callers reach every replica: ipv4:127.0.0.1:${stack.ports.user},127.0.0.1:${secondPort} (round_robin)`);

    const authorization = `Bearer ${await stack.identity.token('admin')}`;
    const created = await fetch(`${stack.gateway}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ email: 'replicas@example.com', name: 'Two Replicas' }),
    });
    const { id } = (await created.json()) as { id: string };
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await fetch(`${stack.gateway}/users/${id}`, { headers: { authorization } })).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    // Access lines are written before the answer goes out, so they are here by now.
    expect(servedBy('user-service')).toBeGreaterThan(0);
    expect(servedBy(secondName!)).toBeGreaterThan(0);

    // One replica dies; while it is restarted the other answers every call.
    const exited = stack.nextLine(new RegExp(`${secondName} exited \\(killed by SIGKILL\\), restart 1 in \\d+ ms`), 10_000);
    const back = stack.nextLine(new RegExp(`${secondName} is up again`), 60_000);
    process.kill(stack.pidOf(secondName!), 'SIGKILL');
    await exited;
    const whileOneDown: number[] = [];
    for (let i = 0; i < 10; i++) whileOneDown.push((await fetch(`${stack.gateway}/users/${id}`, { headers: { authorization } })).status);
    expect(whileOneDown).toEqual(Array(10).fill(200));
    await back;
  });
});

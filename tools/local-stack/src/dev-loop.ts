import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { relative } from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';
import { subscribe } from '@parcel/watcher';
import { type RunningSystem, workspacePath } from '@acme/testing';
import { planChanges } from './dev-plan';
import type { Supervisor } from './supervisor';

/** Editors save a file in several writes, and a branch switch touches many: one round per burst. */
const SETTLE_MS = 300;

/** What no build reads, and what builds and runs write (watching them would loop). */
const NOT_WATCHED = ['.git', 'node_modules', '.nx', '.data', 'coverage', 'tmp', '**/dist/**', '**/*.tsbuildinfo'];

/**
 * `npm run dev`: watches the workspace; on a change, regenerates the
 * contracts if a .proto changed, rebuilds the affected apps (Nx builds the
 * libs they reference) and replaces their processes. A failed build leaves
 * the running services as they are. Returns the way to stop watching.
 */
export async function watchAndReload(system: RunningSystem, supervisor: Supervisor, log: (line: string) => void): Promise<() => Promise<void>> {
  const root = workspacePath();
  const pending = new Set<string>();
  let settle: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;
  let stopped = false;

  const reload = async (files: string[]) => {
    // The graph follows project.json and import changes, so it is read afresh per round (Nx caches it).
    const graph = await createProjectGraphAsync({ exitOnError: false });
    const plan = planChanges(files, graph, system.apps);
    if (plan.regenerateContracts) {
      log('a .proto changed: regenerating the contracts (npm run proto:generate)');
      if (!(await run('npm', ['run', 'proto:generate'], root))) return log('generation failed: fix the .proto and save again');
    }
    if (plan.services.length === 0) return;
    log(`changed: ${files.filter((f) => !plan.ignored.includes(f)).join(', ')}: rebuilding ${plan.services.join(', ')}`);
    if (!(await run('npx', ['nx', 'run-many', '-t', 'build', '-p', plan.services.join(','), '--output-style=stream'], root))) {
      return log('build failed: the running services keep their previous build; fix and save again');
    }
    for (const app of plan.services) {
      if (stopped) return;
      log(`restarting ${app}`);
      await supervisor.replace(app);
    }
    log(`reloaded ${plan.services.join(', ')}`);
  };

  const drain = () => {
    if (round || stopped) return; // the running round takes what arrived meanwhile
    round = (async () => {
      while (pending.size > 0 && !stopped) {
        const files = [...pending];
        pending.clear();
        await reload(files).catch((error: unknown) => log(`reload failed: ${error instanceof Error ? error.message : String(error)}`));
      }
    })().finally(() => (round = undefined));
  };

  const subscription = await subscribe(
    root,
    (error, events) => {
      if (error) return log(`watching failed: ${error.message}`);
      for (const event of events) pending.add(relative(root, event.path));
      clearTimeout(settle);
      settle = setTimeout(drain, SETTLE_MS);
    },
    { ignore: NOT_WATCHED },
  );
  log('watching for changes (apps, libs, proto): each rebuilds and restarts only the services it affects');

  return async () => {
    stopped = true;
    clearTimeout(settle);
    await subscription.unsubscribe();
    await round;
  };
}

/** Runs a command with its output on this console; resolves whether it succeeded. */
async function run(command: string, args: readonly string[], cwd: string): Promise<boolean> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code === 0;
}

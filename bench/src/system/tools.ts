import { spawnSync } from 'node:child_process';

/** External load generators and the Debian packages that ship them. */
const TOOLS = [
  { command: 'h2load', pkg: 'nghttp2-client' },
  { command: 'wrk', pkg: 'wrk' },
] as const;

const onPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/**
 * Makes sure h2load and wrk are installed: as root it installs the missing
 * ones with apt-get (as CI and fresh machines need), otherwise it stops with
 * the command to run.
 */
export function ensureLoadGenerators(log: (line: string) => void): void {
  const missing = TOOLS.filter((tool) => !onPath(tool.command));
  if (missing.length === 0) return;
  const packages = missing.map((tool) => tool.pkg).join(' ');
  const install = `apt-get update && apt-get install -y ${packages}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing load generator(s): ${missing.map((t) => t.command).join(', ')}. Install them with:\n  sudo sh -c '${install}'`);
  }
  log(`installing ${packages} (${missing.map((t) => t.command).join(', ')} missing)`);
  const result = spawnSync('sh', ['-c', install], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0 || TOOLS.some((tool) => !onPath(tool.command))) {
    throw new Error(`could not install ${packages}; run: ${install}`);
  }
}

import { execFileSync } from 'node:child_process';

/**
 * Refuses to rename over uncommitted work: the rename touches most tracked
 * files, and on a clean tree `git diff` shows exactly what it did (and
 * `git checkout .` undoes it). Ignored files (node_modules, dist) do not count.
 */
export function assertCommitted(root: string): void {
  let status: string;
  try {
    status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' });
  } catch {
    throw new Error(`${root} is not a git checkout: the rename runs on a committed tree only, so that git shows what it changed`);
  }
  const [first, ...others] = status.split('\n').filter(Boolean);
  if (first)
    throw new Error(
      `the git tree has ${others.length + 1} uncommitted change(s) (e.g. ${first.slice(3)}): commit or stash them first, so the rename's changes are the only ones`,
    );
}

/** The tracked files, the ones the rename reads. */
export function trackedFiles(root: string): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\0').filter(Boolean);
}

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Tree } from '@nx/devkit';

const GENERATED = 'libs/contracts/src/gen';

/** Every file under `dir` of the tree (which holds the generator's changes besides the disk). */
function treeFiles(tree: Tree, dir: string): string[] {
  return tree.children(dir).flatMap((name) => {
    const path = `${dir}/${name}`;
    return tree.isFile(path) ? [path] : treeFiles(tree, path);
  });
}

function diskFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? diskFiles(path) : [path];
  });
}

/**
 * Regenerates libs/contracts/src/gen from the tree's proto/ with the
 * workspace's own generation (`npm run proto:generate`, as
 * check-generated.mjs runs it): in a scratch copy, so it also sees the
 * proto this generator has only written to the tree, and the results go
 * back into the tree, where --dry-run lists them and nothing is written
 * unless the generator's changes are.
 */
export function generateContracts(tree: Tree): void {
  const scratch = mkdtempSync(join(tmpdir(), 'service-generator-contracts-'));
  try {
    for (const input of ['package.json', 'tools/scripts']) cpSync(join(tree.root, input), join(scratch, input), { recursive: true });
    for (const file of treeFiles(tree, 'proto')) {
      mkdirSync(join(scratch, dirname(file)), { recursive: true });
      writeFileSync(join(scratch, file), tree.read(file) ?? '');
    }
    mkdirSync(join(scratch, 'libs/contracts/src'), { recursive: true });
    symlinkSync(join(tree.root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
    execFileSync('npm', ['run', '--silent', 'proto:generate'], { cwd: scratch, stdio: ['ignore', 'ignore', 'inherit'] });
    const fresh = new Set<string>();
    for (const file of diskFiles(join(scratch, GENERATED))) {
      const path = relative(scratch, file);
      fresh.add(path);
      tree.write(path, readFileSync(file)); // unchanged files are no change
    }
    for (const stale of treeFiles(tree, GENERATED)) if (!fresh.has(stale)) tree.delete(stale);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

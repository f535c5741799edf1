import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * What `npm install` would do to node_modules after the rename, without
 * installing anything: links node_modules/<new scope>/<name> to each
 * workspace package (as npm links workspaces), and removes the old scope's
 * links into this workspace. Only links into the workspace's own packages
 * are touched, whatever else node_modules holds. Returns the links made.
 */
export function relinkWorkspacePackages(root: string, oldScope: string, newScope: string): string[] {
  const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const workspaceDirs = ((rootPackage.workspaces ?? []) as string[]).flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(root, pattern)];
    const parent = join(root, pattern.slice(0, -2));
    return existsSync(parent) ? readdirSync(parent).map((name) => join(parent, name)) : [];
  });
  const made: string[] = [];
  for (const dir of workspaceDirs) {
    if (!existsSync(join(dir, 'package.json'))) continue;
    const name: string = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name ?? '';
    if (!name.startsWith(`${newScope}/`)) continue;
    const link = join(root, 'node_modules', name);
    mkdirSync(join(link, '..'), { recursive: true });
    if (existsSync(link) || isLink(link)) unlinkSync(link);
    symlinkSync(relative(join(link, '..'), dir), link, 'dir');
    made.push(relative(root, link));
  }
  const old = join(root, 'node_modules', oldScope);
  if (oldScope !== newScope && existsSync(old)) {
    const workspace = realpathSync(root);
    for (const entry of readdirSync(old)) {
      const link = join(old, entry);
      if (isLink(link) && (!existsSync(link) || realpathSync(link).startsWith(`${workspace}/`))) unlinkSync(link);
    }
    if (readdirSync(old).length === 0) rmdirSync(old);
  }
  return made;
}

const isLink = (path: string) => {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
};

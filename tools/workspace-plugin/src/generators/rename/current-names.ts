import { readJson, type Tree } from '@nx/devkit';
import type { WorkspaceNames } from './name-forms';

/**
 * The names the workspace has now, read from where each is defined: the npm
 * scope from the root package's name (@acme/source), the proto package from
 * proto/'s one top-level directory. Renaming from what is there, rather than
 * from a fixed @acme, is what makes a second run a no-op and lets a fork be
 * renamed again.
 */
export function currentNames(tree: Tree): WorkspaceNames {
  const rootName: string = readJson(tree, 'package.json').name ?? '';
  const scope = rootName.match(/^(@[a-z][a-z0-9-]*)\//)?.[1];
  if (!scope) throw new Error(`package.json: the root package's name (${rootName || 'none'}) has no npm scope to rename from`);
  const packages = tree.exists('proto') ? tree.children('proto').filter((name) => !tree.isFile(`proto/${name}`)) : [];
  const [protoPackage, ...others] = packages;
  if (!protoPackage || others.length) throw new Error(`proto/: expected one top-level package directory to rename from, found ${packages.length ? packages.join(', ') : 'none'}`);
  return { scope, protoPackage };
}

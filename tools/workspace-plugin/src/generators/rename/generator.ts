import { join, relative } from 'node:path';
import { logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import { PLUGIN_ROOT } from '../../plugin-root';
import { generateContracts } from '../service/contracts-generation';
import { RENAME_RECORD, renameRecord, type RenameRecord } from './api-rename-record';
import { currentNames } from './current-names';
import { assertCommitted, trackedFiles } from './git-state';
import { sortedLockfile } from './lockfile';
import { checkedNames, renamer, type WorkspaceNames } from './name-forms';
import type { RenameGeneratorSchema } from './schema';
import { relinkWorkspacePackages } from './workspace-links';

/** Regenerated from the renamed proto/ by the workspace's own generation, never renamed as text. */
const GENERATED = 'libs/contracts/src/gen';

/**
 * Files the rename leaves as they are, on purpose: this generator (it must
 * still recognise the old names, and its tests rename a made-up workspace
 * from them) and its record of the rename, which names both.
 */
export function keptAsIs(root: string): string[] {
  return [`${relative(root, join(PLUGIN_ROOT, 'src/generators/rename'))}/`, RENAME_RECORD];
}

const sameNames = (a: WorkspaceNames, b: WorkspaceNames) => a.scope === b.scope && a.protoPackage === b.protoPackage;

/**
 * Rewrites every tracked file's text and path from `from` to `to` in the
 * tree (see name-forms.ts for the forms), records the rename for buf
 * breaking, and regenerates the contracts when the workspace has them.
 * Returns the number of files changed.
 */
export function renameWorkspace(tree: Tree, from: WorkspaceNames, to: WorkspaceNames, files: readonly string[]): number {
  const rename = renamer(from, to);
  const kept = [`${GENERATED}/`, ...keptAsIs(tree.root)];
  let changed = 0;
  for (const path of files) {
    if (kept.some((k) => path === k || path.startsWith(k)) || !tree.isFile(path)) continue;
    const content = tree.read(path);
    if (!content || content.includes(0)) continue; // binary: no names in it to rename
    const text = content.toString('utf8');
    const renamedPath = rename(path);
    let renamed = rename(text);
    if (path === 'package-lock.json' && renamed !== text) renamed = sortedLockfile(renamed);
    if (renamedPath !== path) tree.delete(path);
    if (renamedPath !== path || renamed !== text) {
      tree.write(renamedPath, renamed);
      changed++;
    }
  }
  tree.write(RENAME_RECORD, renameRecord(from, to));
  if (tree.exists(GENERATED)) generateContracts(tree);
  return changed;
}

/**
 * What to rename from: the names the workspace has now; or, when it has the
 * new names already, the ones its record says it was renamed from, so that
 * what an upstream merge brought in under the old names is renamed too.
 */
function renamedFrom(tree: Tree, to: WorkspaceNames): WorkspaceNames {
  const current = currentNames(tree);
  const record = tree.exists(RENAME_RECORD) ? (JSON.parse(tree.read(RENAME_RECORD, 'utf-8') ?? '{}') as RenameRecord) : undefined;
  return sameNames(current, to) && record && sameNames(record.to, to) ? record.from : current;
}

/**
 * `nx g @acme/workspace:rename --scope=@myco --proto-package=myco`: the npm
 * scope and the proto packages, everywhere they appear, from whatever they
 * are now. A run that finds nothing to change says so and writes nothing;
 * one that would change files refuses a tree with uncommitted changes.
 */
export async function renameGenerator(tree: Tree, options: RenameGeneratorSchema): Promise<GeneratorCallback> {
  const to = checkedNames(options.scope, options.protoPackage);
  const from = renamedFrom(tree, to);
  const changed = sameNames(from, to) ? 0 : renameWorkspace(tree, from, to, trackedFiles(tree.root));
  if (tree.listChanges().length === 0) {
    logger.info(`The workspace is ${to.scope} with proto package ${to.protoPackage} already, with nothing left of ${from.scope}, ${from.protoPackage}: nothing to rename.`);
    return () => undefined;
  }
  // Only now, with nothing written yet: the tree's changes are flushed after the generator returns.
  assertCommitted(tree.root);

  return () => {
    // After the files are written (never on --dry-run): node_modules' links to the workspace's packages, as npm would make them.
    const links = relinkWorkspacePackages(tree.root, from.scope, to.scope);
    logger.info(`Renamed ${from.scope} -> ${to.scope} and proto ${from.protoPackage}.* -> ${to.protoPackage}.* in ${changed} files; contracts regenerated; ${links.length} links in node_modules/${to.scope}.`);
    logger.info(`Left as they are on purpose: ${keptAsIs(tree.root).join(', ')}. Next: git diff, then npx nx run-many -t lint typecheck build test.`);
  };
}

export default renameGenerator;

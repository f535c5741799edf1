import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { renamer, type WorkspaceNames } from './name-forms';

/**
 * proto/renamed.json: the rename's record that the proto packages were
 * renamed on purpose. Renaming a package is a new API on the wire (every
 * gRPC path and message name changes), which `buf breaking` would rightly
 * report against a base that still has the old names; tools/scripts/buf-breaking.mjs
 * reads this record and renames its base the same way before comparing, so
 * the rename itself passes and any other change in the same commits is still
 * held to the breaking rules. Kept after the rename lands (a base that has
 * the new names is compared as it is).
 */
export const RENAME_RECORD = 'proto/renamed.json';

export interface RenameRecord {
  readonly why: string;
  readonly from: WorkspaceNames;
  readonly to: WorkspaceNames;
}

export function renameRecord(from: WorkspaceNames, to: WorkspaceNames): string {
  const record: RenameRecord = {
    why: `nx g ${to.scope}/workspace:rename renamed the proto packages: a deliberate new API; buf breaking compares against its base renamed alike (docs/forking.md, Rename)`,
    from,
    to,
  };
  return `${JSON.stringify(record, null, 2)}\n`;
}

const listFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });

/**
 * Renames a copy of a proto/ tree (buf breaking's base, extracted from git)
 * as the rename renamed the workspace's, when the record applies to it: the
 * base still has the old package and not yet the new. Returns whether it did.
 */
export function renameProtoBase(protoDir: string, record: Pick<RenameRecord, 'from' | 'to'>): boolean {
  const rename = renamer(record.from, record.to);
  const has = (pkg: string) => statSync(join(protoDir, pkg), { throwIfNoEntry: false })?.isDirectory() ?? false;
  if (!has(record.from.protoPackage) || has(record.to.protoPackage)) return false;
  const oldDir = join(protoDir, record.from.protoPackage);
  for (const file of listFiles(oldDir)) {
    const target = join(protoDir, record.to.protoPackage, relative(oldDir, file));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, rename(readFileSync(file, 'utf8')));
  }
  rmSync(oldDir, { recursive: true, force: true });
  return true;
}

/** For buf-breaking.mjs: the workspace's record, if it was renamed. */
export function readRenameRecord(root: string): RenameRecord | undefined {
  const text = statSync(join(root, RENAME_RECORD), { throwIfNoEntry: false }) && readFileSync(join(root, RENAME_RECORD), 'utf8');
  return text ? (JSON.parse(text) as RenameRecord) : undefined;
}

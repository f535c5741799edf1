#!/usr/bin/env node
// `buf breaking` against the main branch: a change to proto/ that would break
// existing clients (removed field, renamed RPC, changed type...) fails here.
// Offline by design: compares with the local git history, never the BSR.
// Both sides are compiled by protoc into images (proto-inputs.mjs), since buf
// cannot resolve buf/validate/validate.proto from source. After `nx g
// <scope>/workspace:rename`, proto/renamed.json says the packages were renamed
// on purpose (a new API): the base is renamed alike before the comparison, so
// the rename passes and any other break still fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, ownPackages, run } from './proto-inputs.mjs';

const git = (...args) => spawnSync('git', args, { encoding: 'utf8' });

// CI clones have origin/main; a developer's checkout may only have main.
const candidates = [process.env.BUF_BREAKING_AGAINST, 'origin/main', 'main'].filter(Boolean);
const ref = candidates.find((r) => git('rev-parse', '--verify', '--quiet', `${r}^{commit}`).status === 0);
if (!ref) {
  console.error(`buf-breaking: none of ${candidates.join(', ')} exists in this clone; fetch main first (git fetch origin main)`);
  process.exit(1);
}
if (git('cat-file', '-e', `${ref}:proto`).status !== 0) {
  console.log(`buf-breaking: ${ref} has no proto/ directory yet; nothing to compare against`);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'buf-breaking-'));
try {
  const before = join(dir, 'before');
  mkdirSync(before);
  execFileSync('sh', ['-c', `git archive "${ref}" proto | tar -x -C "${before}"`], { stdio: 'inherit' });
  if (existsSync('proto/renamed.json')) {
    const { readRenameRecord, renameProtoBase } = createRequire(import.meta.url)('../workspace-plugin/build-on-use.cjs');
    const { from, to } = readRenameRecord('.');
    if (renameProtoBase(join(before, 'proto'), { from, to }))
      console.log(`buf-breaking: proto/renamed.json: ${from.protoPackage}.* was renamed ${to.protoPackage}.* on purpose; ${ref}'s proto/ is renamed alike before comparing`);
  }
  buildImage(join(before, 'proto'), join(dir, 'before.binpb'));
  buildImage('proto', join(dir, 'after.binpb'));
  console.log(`buf-breaking: comparing proto/ with ${ref}`);
  const paths = ownPackages('proto').flatMap((p) => ['--path', p]);
  if (run('npx', ['buf', 'breaking', join(dir, 'after.binpb'), '--against', join(dir, 'before.binpb'), ...paths])) console.log('buf-breaking: no breaking changes');
  else process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

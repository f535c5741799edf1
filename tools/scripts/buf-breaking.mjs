#!/usr/bin/env node
// `buf breaking` against the main branch: a change to proto/ that would break
// existing clients (removed field, renamed RPC, changed type...) fails here.
// Offline by design: compares with the local git history, never the BSR.
import { execFileSync, spawnSync } from 'node:child_process';

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
const against = `.git#ref=${ref},subdir=proto`;
console.log(`buf-breaking: comparing proto/ with ${ref}`);
execFileSync('npx', ['buf', 'breaking', 'proto', '--against', against], { stdio: 'inherit' });
console.log('buf-breaking: no breaking changes');

#!/usr/bin/env node
// Fails when the committed generated contracts (libs/contracts/src/gen)
// differ from what `npm run proto:generate`
// produces from proto/ now: someone edited generated files by hand or forgot
// to regenerate. Generation runs in a scratch copy, so the working tree and
// the git index are never touched.
import { execSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'contracts-check-'));
const INPUTS = ['package.json', 'proto', 'tools/scripts'];
const GENERATED = 'libs/contracts/src/gen';

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function generatedFiles(base) {
  return new Map(listFiles(join(base, GENERATED)).map((f) => [relative(base, f), readFileSync(f)]));
}

let problems = [];
try {
  for (const input of INPUTS) cpSync(join(root, input), join(scratch, input), { recursive: true });
  mkdirSync(join(scratch, 'libs/contracts/src'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  execSync('npm run --silent proto:generate', { cwd: scratch, stdio: ['ignore', 'ignore', 'inherit'] });
  const committed = generatedFiles(root);
  const fresh = generatedFiles(scratch);
  for (const [file, content] of fresh) {
    if (!committed.has(file)) problems.push(`missing: ${file}`);
    else if (!committed.get(file).equals(content)) problems.push(`differs: ${file}`);
  }
  for (const file of committed.keys()) if (!fresh.has(file)) problems.push(`stale (no longer generated): ${file}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(`check-generated: generated contracts are out of date; run \`npm run proto:generate\` and commit:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('check-generated: generated contracts match proto/');

#!/usr/bin/env node
// `buf lint` over proto/ (buf.yaml's rules). buf cannot resolve
// buf/validate/validate.proto from source (no package ships it), so it lints
// the image protoc builds with every import (proto-inputs.mjs), limited to our files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, ownPackages, run } from './proto-inputs.mjs';

const dir = mkdtempSync(join(tmpdir(), 'buf-lint-'));
try {
  const image = join(dir, 'image.binpb');
  buildImage('proto', image);
  if (run('npx', ['buf', 'lint', image, ...ownPackages('proto').flatMap((p) => ['--path', p])])) console.log('buf-lint: proto/ passes');
  else process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

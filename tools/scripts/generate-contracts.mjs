#!/usr/bin/env node
// `npm run proto:generate`: regenerates everything derived from proto/.
// - every buf.gen*.yaml template at the repository root (buf.gen.yaml: the
//   NestJS gRPC types; add another template for other outputs and it runs too);
// - FileDescriptorSets for server reflection (libs/contracts/descriptors).
// Runs from the current directory's copy of the repository, offline.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';

const buf = (...args) => execFileSync('npx', ['buf', ...args], { stdio: 'inherit' });

for (const template of readdirSync('.').filter((f) => /^buf\.gen(\.[\w-]+)?\.yaml$/.test(f)).sort()) {
  buf('generate', '--template', template);
}
mkdirSync('libs/contracts/descriptors', { recursive: true });
buf('build', '--as-file-descriptor-set', '-o', 'libs/contracts/descriptors/acme.binpb');
buf('build', 'node_modules/grpc-health-check/proto', '--as-file-descriptor-set', '-o', 'libs/contracts/descriptors/grpc-health.binpb');

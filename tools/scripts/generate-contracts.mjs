#!/usr/bin/env node
// `npm run proto:generate`: regenerates libs/contracts/src/gen from proto/ in
// one generation (protoc + protoc-gen-es): messages with their binary and
// JSON codecs, service and event descriptors, and the embedded file
// descriptors that server reflection and request decoding read. Offline.
// Never edit the generated files; see docs/contracts.md.
import { mkdirSync, rmSync } from 'node:fs';
import { writeComments } from './generate-docs.mjs';
import { generate } from './proto-inputs.mjs';

const OUT = 'libs/contracts/src/gen';

const ES_OPTIONS = [
  'target=ts',
  // Imports without extensions: the libs compile to CommonJS.
  'import_extension=none',
  // buf/validate's generated code ships in @bufbuild/protovalidate (which
  // validates with it), so ours imports it from there instead of a copy.
  'rewrite_imports=./buf/validate/*_pb.js:@bufbuild/protovalidate/gen',
];

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
generate('proto', ['--plugin=protoc-gen-es=node_modules/.bin/protoc-gen-es', `--es_out=${OUT}`, `--es_opt=${ES_OPTIONS.join(',')}`]);
writeComments('proto', `${OUT}/comments.ts`);

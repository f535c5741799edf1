// What protoc needs to compile proto/: where imports come from, and the one
// place the generator, `buf lint`, `buf breaking` and the generated-code
// check learn it from.
//
// Imports resolve from npm packages, never from committed third-party source:
// - google/api/*.proto (HTTP annotations) and the well-known types: the
//   sources in google-proto-files;
// - grpc/health/v1: the proto grpc-health-check ships (reflection serves it);
// - buf/validate/validate.proto: @bufbuild/protovalidate ships only its
//   compiled descriptor, so protoc reads that descriptor (--descriptor_set_in)
//   instead of a source file.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { file_buf_validate_validate } from '@bufbuild/protovalidate/gen/buf/validate/validate_pb.js';

/** Import roots, in the order protoc searches them. */
const INCLUDE_ROOTS = ['node_modules/google-proto-files', 'node_modules/grpc-health-check/proto'];
/** Compiled descriptors standing in for sources no package ships. */
const DESCRIPTOR_IMPORTS = [file_buf_validate_validate];
/** Files compiled besides proto/'s own, although nothing imports them. */
const EXTRA_ROOTS = ['health/v1/health.proto'];

const listProtos = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listProtos(path) : name.endsWith('.proto') ? [path] : [];
  });

/**
 * Runs `fn` with the import descriptors written to a scratch FileDescriptorSet
 * (they are derived from node_modules on every run, never committed).
 */
export function withImportDescriptors(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'proto-imports-'));
  try {
    const file = join(dir, 'imports.binpb');
    const set = create(FileDescriptorSetSchema, { file: DESCRIPTOR_IMPORTS.map((f) => f.proto) });
    writeFileSync(file, toBinary(FileDescriptorSetSchema, set));
    return fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** protoc's import flags for the protos in `protoDir`, and the files to compile. */
function protocInputs(protoDir, descriptorSetIn) {
  return [
    `--descriptor_set_in=${descriptorSetIn}`,
    `-I${protoDir}`,
    ...INCLUDE_ROOTS.map((root) => `-I${root}`),
    ...listProtos(protoDir).map((file) => relative(protoDir, file)),
    ...EXTRA_ROOTS,
  ];
}

/**
 * Compiles `protoDir` into a FileDescriptorSet image at `out`, imports and
 * comments included (what buf lint/breaking read).
 */
export function buildImage(protoDir, out) {
  withImportDescriptors((descriptorSetIn) =>
    execFileSync('protoc', [...protocInputs(protoDir, descriptorSetIn), '--include_imports', '--include_source_info', `-o${out}`], { stdio: 'inherit' }),
  );
}

/**
 * Runs protoc with a plugin over `protoDir`, generating code for every file
 * the protos need except those whose code ships elsewhere: the well-known
 * types (@bufbuild/protobuf/wkt) and the descriptor imports (their packages).
 */
export function generate(protoDir, pluginArgs) {
  withImportDescriptors((descriptorSetIn, scratch) => {
    const image = join(scratch, 'image.binpb');
    const inputs = protocInputs(protoDir, descriptorSetIn);
    execFileSync('protoc', [...inputs, '--include_imports', `-o${image}`], { stdio: 'inherit' });
    const shippedElsewhere = new Set(DESCRIPTOR_IMPORTS.map((f) => f.proto.name));
    const files = fromBinary(FileDescriptorSetSchema, readFileSync(image))
      .file.map((f) => f.name)
      .filter((name) => !name.startsWith('google/protobuf/') && !shippedElsewhere.has(name));
    const flags = inputs.filter((arg) => arg.startsWith('-'));
    execFileSync('protoc', [...flags, ...pluginArgs, ...files], { stdio: 'inherit' });
  });
}

/** The top-level directories of `protoDir` (e.g. `acme`): what lint and breaking checks cover. */
export const ownPackages = (protoDir) => readdirSync(protoDir).filter((name) => statSync(join(protoDir, name)).isDirectory());

/** Runs a command with inherited output; false when it fails (its own output says why, no stack trace). */
export function run(command, args) {
  return spawnSync(command, args, { stdio: 'inherit' }).status === 0;
}

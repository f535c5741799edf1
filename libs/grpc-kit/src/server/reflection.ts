import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { readFileSync } from 'node:fs';
import { DESCRIPTOR_SET_PATH, HEALTH_DESCRIPTOR_SET_PATH } from '@acme/contracts';

/** The serialized FileDescriptorProtos inside a FileDescriptorSet (field 1, repeated). */
function fileDescriptors(descriptorSet: Uint8Array): Uint8Array[] {
  const reader = new BinaryReader(descriptorSet);
  const files: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) files.push(reader.bytes());
    else reader.skip(wireType);
  }
  return files;
}

/**
 * Adds gRPC server reflection (v1 and v1alpha) for the given services.
 *
 * Descriptors come from buf's FileDescriptorSet, not from @grpc/proto-loader:
 * proto-loader re-synthesises one file per package with no imports, which
 * reflection clients (buf curl, grpcurl) cannot link as soon as a message
 * uses google.protobuf.Timestamp.
 */
export function addReflection(server: Server, services: readonly string[]): void {
  const files = [DESCRIPTOR_SET_PATH, HEALTH_DESCRIPTOR_SET_PATH].flatMap((path) => fileDescriptors(readFileSync(path)));
  // ReflectionService only reads `fileDescriptorProtos` from each entry.
  const definition = { descriptors: { fileDescriptorProtos: files } } as unknown as PackageDefinition;
  new ReflectionService(definition, { services: [...services] }).addToServer(server);
}

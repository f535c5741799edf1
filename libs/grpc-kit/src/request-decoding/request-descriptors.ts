import { readFileSync } from 'node:fs';
import { createFileRegistry, fromBinary, type DescMessage, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { DESCRIPTOR_SET_PATH, HEALTH_DESCRIPTOR_SET_PATH } from '@acme/contracts';

let registry: FileRegistry | undefined;

/**
 * The request message of a method path (`/acme.user.v1.UserService/GetUser`),
 * from buf's descriptor sets of our protos and grpc.health.v1 (the files
 * server reflection serves). Undefined for methods outside them (reflection's own).
 */
export function requestMessageOf(path: string): DescMessage | undefined {
  registry ??= createFileRegistry(
    ...[DESCRIPTOR_SET_PATH, HEALTH_DESCRIPTOR_SET_PATH].map((file) => createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(file)))),
  );
  const [, service, method] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  if (!service || !method) return undefined;
  return registry.getService(service)?.methods.find((m) => m.name === method)?.input;
}

import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { fileDescriptorProtos } from '@acme/contracts';

/**
 * Adds gRPC server reflection (v1 and v1alpha) for the given services, from
 * the generated code's file descriptors (real file names and imports, so
 * buf curl and grpcurl can link messages that use google.protobuf.Timestamp).
 */
export function addReflection(server: Server, services: readonly string[]): void {
  // ReflectionService only reads `fileDescriptorProtos` from each entry.
  const definition = { descriptors: { fileDescriptorProtos: fileDescriptorProtos() } } as unknown as ConstructorParameters<typeof ReflectionService>[0];
  new ReflectionService(definition, { services: [...services] }).addToServer(server);
}

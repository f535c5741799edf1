import { createRegistry, toBinary, type DescFile } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { file_acme_order_v1_events } from './gen/acme/order/v1/events_pb';
import { file_acme_order_v1_order } from './gen/acme/order/v1/order_pb';
import { file_acme_user_v1_events } from './gen/acme/user/v1/events_pb';
import { file_acme_user_v1_user } from './gen/acme/user/v1/user_pb';
import { file_health_v1_health } from './gen/health/v1/health_pb';

/** Every generated file a server answers for: the system's contracts and grpc.health.v1. */
const FILES: readonly DescFile[] = [file_acme_user_v1_user, file_acme_user_v1_events, file_acme_order_v1_order, file_acme_order_v1_events, file_health_v1_health];

/** Looks up messages and services by their full names (request decoding, reflection). */
export const CONTRACT_REGISTRY = createRegistry(...FILES);

/**
 * The serialized FileDescriptorProto of every file, imports first: what
 * server reflection serves, straight from the generated code's embedded
 * descriptors (they carry no comments: protoc-gen-es leaves them out).
 */
export function fileDescriptorProtos(): Uint8Array[] {
  const seen = new Map<string, Uint8Array>();
  const visit = (file: DescFile): void => {
    if (seen.has(file.name)) return;
    file.dependencies.forEach(visit);
    seen.set(file.name, toBinary(FileDescriptorProtoSchema, file.proto));
  };
  FILES.forEach(visit);
  return [...seen.values()];
}

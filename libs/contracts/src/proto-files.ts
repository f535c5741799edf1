import { resolve } from 'node:path';

/**
 * Directory holding the .proto sources. The same relative layout is kept in
 * src/ (tests), dist/ (built) and in the container images, so one path works
 * everywhere.
 */
export const PROTO_ROOT = resolve(__dirname, '../../../proto');

/** Proto files relative to PROTO_ROOT, as the runtime loader wants them. */
export const PROTO_FILES = {
  user: 'acme/user/v1/user.proto',
  order: 'acme/order/v1/order.proto',
} as const;

/** Fully qualified service names, as used by health checks and reflection. */
export const SERVICE_NAMES = {
  user: 'acme.user.v1.UserService',
  order: 'acme.order.v1.OrderService',
} as const;

/**
 * FileDescriptorSet of every proto (with imports and comments), built by
 * `buf build` alongside code generation. Server reflection serves it, so
 * grpcurl/buf curl see real file names, imports and documentation.
 */
export const DESCRIPTOR_SET_PATH = resolve(__dirname, '../descriptors/acme.binpb');

/** The same for grpc.health.v1 (built from the proto that grpc-health-check ships). */
export const HEALTH_DESCRIPTOR_SET_PATH = resolve(__dirname, '../descriptors/grpc-health.binpb');

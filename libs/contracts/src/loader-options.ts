import type { Options } from '@grpc/proto-loader';
import { PROTO_ROOT } from './proto-files';

/**
 * Options for @grpc/proto-loader (what NestJS's Transport.GRPC uses at run
 * time). They must agree with how ts-proto generated the types in ./gen:
 * - keepCase: false   -> camelCase field names, as in the generated interfaces
 *                        (keepCase: true would silently drop every camelCase field);
 * - longs: String     -> int64 as decimal strings (forceLong=string), exact beyond 2^53;
 * - enums: Number     -> numeric enums, as the generated TypeScript enums;
 * - defaults: true    -> absent scalars arrive as '', 0, '0', false (proto3 semantics);
 * - arrays: true      -> absent repeated fields arrive as [];
 * - oneofs: true      -> virtual oneof discriminator fields are set.
 */
export const PROTO_LOADER_OPTIONS: Options = Object.freeze({
  keepCase: false,
  longs: String,
  enums: Number,
  defaults: true,
  arrays: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
});

import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { create, fromBinary, isMessage, toBinary, type DescMessage, type DescService, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';

/** A message's binary codec in grpc-js's shape (Buffers). */
export interface GrpcCodec<Desc extends DescMessage> {
  serialize(value: MessageInitShape<Desc>): Buffer;
  deserialize(bytes: Buffer): MessageShape<Desc>;
}

const codecs = new WeakMap<DescMessage, GrpcCodec<DescMessage>>();

/**
 * The generated codec of `schema`. serialize accepts a message or a plain
 * object of its fields (a handler's answer), so nobody calls create() first;
 * deserialize throws on bytes that are not a valid encoding (including
 * strings that are not UTF-8).
 */
/** The bytes as a Buffer over the same memory, not a copy (what grpc-js and pg want for an encoded message). */
export const bufferView = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function grpcCodec<Desc extends DescMessage>(schema: Desc): GrpcCodec<Desc> {
  let codec = codecs.get(schema);
  if (!codec) {
    const generic: DescMessage = schema;
    codec = {
      serialize: (value) => {
        const message = isMessage(value, generic) ? value : create(generic, value);
        return bufferView(toBinary(generic, message));
      },
      deserialize: (bytes) => fromBinary(generic, bytes),
    };
    codecs.set(schema, codec);
  }
  return codec as GrpcCodec<Desc>;
}

const definitions = new WeakMap<DescService, ServiceDefinition>();

/**
 * The grpc-js service definition of a generated service: what a grpc-js
 * Server.addService, makeGenericClientConstructor or NestJS's
 * `packageDefinition` option take. Keys are the proto method names
 * (`GetUser`), `originalName` the generated camelCase one (`getUser`), as
 * @grpc/proto-loader would make them, with the generated codecs instead of a
 * second, runtime-parsed copy of the proto.
 */
export function grpcServiceDefinition(service: DescService): ServiceDefinition {
  let definition = definitions.get(service);
  if (!definition) {
    const methods: Record<string, MethodDefinition<unknown, unknown>> = {};
    for (const method of service.methods) {
      const input = grpcCodec(method.input);
      const output = grpcCodec(method.output);
      methods[method.name] = {
        path: `/${service.typeName}/${method.name}`,
        originalName: method.localName,
        requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
        responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
        requestSerialize: input.serialize as (value: unknown) => Buffer,
        requestDeserialize: input.deserialize,
        responseSerialize: output.serialize as (value: unknown) => Buffer,
        responseDeserialize: output.deserialize,
      };
    }
    definition = methods;
    definitions.set(service, definition);
  }
  return definition;
}

/** The proto package of a service (`acme.user.v1` for acme.user.v1.UserService). */
export const packageOf = (service: DescService): string => service.file.proto.package;

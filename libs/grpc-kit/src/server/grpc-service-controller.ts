import { GrpcMethod, GrpcStreamMethod } from '@nestjs/microservices';
import type { DescService } from '@bufbuild/protobuf';
import { attachedStreamCall } from './stream-calls';

/**
 * Class decorator for a NestJS controller implementing a generated service:
 * routes each RPC to the method of its generated (camelCase) name, e.g.
 * acme.user.v1.UserService/GetUser to getUser(). Pair it with
 * `implements ServiceHandlers<typeof UserService>`, so a missing handler or a
 * wrong request or stream type fails to compile.
 *
 * Streaming methods are called as their ServiceHandlers type says,
 * `(request | requests, call: StreamCall)`, by GrpcTransport; Nest's own
 * `(request, metadata, grpcCall)` arguments stay what its exception layer
 * sees, so the exception filter works for stream calls too.
 */
export function GrpcServiceController(service: DescService): ClassDecorator {
  return (target) => {
    for (const method of service.methods) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target.prototype, method.localName);
      if (!descriptor) throw new Error(`${target.name} does not implement ${service.typeName}/${method.name} (expected a method ${method.localName})`);
      if (method.methodKind === 'unary') {
        GrpcMethod(service.name, method.name)(target.prototype, method.localName, descriptor);
        continue;
      }
      if (method.methodKind === 'bidi_streaming') throw new Error(`${service.typeName}/${method.name}: bidirectional streams are not supported yet`);
      const handler = descriptor.value as (this: unknown, input: unknown, call: unknown) => unknown;
      const streaming: PropertyDescriptor = {
        ...descriptor,
        value: function (this: unknown, input: unknown, _metadata: unknown, grpcCall: unknown) {
          return handler.call(this, input, attachedStreamCall(grpcCall));
        },
      };
      Object.defineProperty(streaming.value, 'name', { value: method.localName });
      // Server streaming has a single request: Nest routes it as a (non-stream) method; client streaming as an Rx stream method.
      const decorate = method.methodKind === 'server_streaming' ? GrpcMethod : GrpcStreamMethod;
      decorate(service.name, method.name)(target.prototype, method.localName, streaming);
      // GrpcStreamMethod replaces streaming.value (as a TypeScript decorator would have it applied).
      Object.defineProperty(target.prototype, method.localName, streaming);
    }
  };
}

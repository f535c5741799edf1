import { GrpcMethod } from '@nestjs/microservices';
import type { DescService } from '@bufbuild/protobuf';

/**
 * Class decorator for a NestJS controller implementing a generated service:
 * routes each RPC to the method of its generated (camelCase) name, e.g.
 * acme.user.v1.UserService/GetUser to getUser(). Pair it with
 * `implements UnaryHandlers<typeof UserService>`, so a missing handler or a
 * wrong request type fails to compile.
 */
export function GrpcServiceController(service: DescService): ClassDecorator {
  return (target) => {
    for (const method of service.methods) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target.prototype, method.localName);
      if (!descriptor) throw new Error(`${target.name} does not implement ${service.typeName}/${method.name} (expected a method ${method.localName})`);
      GrpcMethod(service.name, method.name)(target.prototype, method.localName, descriptor);
    }
  };
}

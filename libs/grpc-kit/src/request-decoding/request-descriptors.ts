import type { DescMessage } from '@bufbuild/protobuf';
import { CONTRACT_REGISTRY } from '@acme/contracts';

/**
 * The request message of a method path (`/acme.user.v1.UserService/GetUser`),
 * from the generated descriptors of our protos and grpc.health.v1 (the files
 * server reflection serves). Undefined for methods outside them (reflection's own).
 */
export function requestMessageOf(path: string): DescMessage | undefined {
  const [, service, method] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  if (!service || !method) return undefined;
  return CONTRACT_REGISTRY.getService(service)?.methods.find((m) => m.name === method)?.input;
}

import { type ChannelOptions, Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_FILES, PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@acme/contracts';

/** acme.user.v1.UserService as @grpc/proto-loader loads it, as the services do (a fresh copy per call). */
export function userServiceDefinition(): ServiceDefinition {
  const definition = loadSync(PROTO_FILES.user, { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
  return definition['acme.user.v1.UserService'] as ServiceDefinition;
}

/** A real grpc-js server on a free loopback port. */
export async function startTestServer(
  options: ChannelOptions,
  // Handlers typed loosely: tests write them for the calls they make.
  services: readonly [ServiceDefinition, Record<string, (call: never, callback: never) => void>][],
): Promise<{ server: Server; address: string; stop(): void }> {
  const server = new Server(options);
  for (const [definition, implementation] of services) server.addService(definition, implementation as unknown as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  return { server, address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

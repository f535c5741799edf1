import { type ChannelOptions, Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { grpcServiceDefinition, SERVICES } from '@acme/contracts';

/** acme.user.v1.UserService with the generated codecs, as the services serve it. */
export function userServiceDefinition(): ServiceDefinition {
  return grpcServiceDefinition(SERVICES.user);
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

import { type Client, type ClientReadableStream, credentials, makeGenericClientConstructor, Metadata, type ServiceError } from '@grpc/grpc-js';
import { grpcServiceDefinition, orderV1, SERVICES } from '@acme/contracts';
import { type OpenWatch, watchUpdate } from './watch-update';

type WatchMethod = (request: { userId: string; resumeToken: string }, metadata: Metadata) => ClientReadableStream<orderV1.OrderUpdate>;

/**
 * WatchOrders straight to order-service's replicas, one client per replica;
 * each connection goes to the next replica in turn, so a watcher whose
 * replica was killed resumes on the other.
 */
export function grpcWatches(addresses: readonly string[], token: string): { open: OpenWatch; close(): void } {
  const Ctor = makeGenericClientConstructor(grpcServiceDefinition(SERVICES.order), 'OrderService');
  const clients: Client[] = addresses.map((address) => new Ctor(address, credentials.createInsecure()));
  const open: OpenWatch = (userId, resumeToken, turn, onUpdate) => {
    const client = clients[turn % clients.length] as Client;
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    const call = (client as unknown as { WatchOrders: WatchMethod }).WatchOrders.call(client, { userId, resumeToken }, metadata);
    call.on('data', (message: orderV1.OrderUpdate) => {
      const update = watchUpdate(orderV1.OrderUpdate_Kind[message.kind] ?? '', message.resumeToken, message.order?.id);
      if (update) onUpdate(update);
    });
    const ended = new Promise<string>((resolve) => {
      call.on('error', (error: ServiceError) => resolve(`gRPC ${error.code}: ${error.details}`));
      call.on('end', () => resolve('gRPC stream ended'));
    });
    return { ended, cancel: () => call.cancel() };
  };
  return { open, close: () => clients.forEach((client) => client.close()) };
}

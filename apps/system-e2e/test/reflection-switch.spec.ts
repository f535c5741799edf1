import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { ServiceStack } from '@acme/testing';
import { status } from './support/expect-status';

const LIST_SERVICES = '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo';
/** ServerReflectionRequest { list_services: "*" } (field 7, a string). */
const LIST_ALL = Buffer.from([0x3a, 0x01, 0x2a]);

/** The first answer of a reflection stream, or the status that ended it. */
function listServices(address: string): Promise<Buffer | ServiceError> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    const call = client.makeBidiStreamRequest(LIST_SERVICES, (b: Buffer) => b, (b: Buffer) => b, new Metadata(), { deadline: Date.now() + 5_000 });
    call.on('data', (answer: Buffer) => {
      resolve(answer);
      call.cancel();
    });
    call.on('error', (error: ServiceError) => resolve(error));
    call.write(LIST_ALL);
    call.end();
  }).finally(() => client.close()) as Promise<Buffer | ServiceError>;
}

// GRPC_REFLECTION: on by default (development), off in the prod overlay.
describe('gRPC server reflection, switched by GRPC_REFLECTION (real processes)', () => {
  let system: ServiceStack;
  beforeAll(async () => {
    system = await ServiceStack.start({ prefix: 'e2e_reflection', orderEnv: { GRPC_REFLECTION: 'false' } });
  });
  afterAll(() => system?.stop());

  it('lists the services where it is on (user-service, by default)', async () => {
    const answer = await listServices(`127.0.0.1:${system.userPort}`);
    expect(answer).toBeInstanceOf(Buffer);
    expect(answer.toString('latin1')).toContain('acme.user.v1.UserService');
  });

  it('is not there where it is off (order-service): UNIMPLEMENTED, and the service itself still answers', async () => {
    const answer = await listServices(`127.0.0.1:${system.orderPort}`);
    expect((answer as ServiceError).code).toBe(status.UNIMPLEMENTED);
    const user = await system.users.createUser({ email: 'reflect@example.com', name: 'R', idempotencyKey: '' });
    expect((await system.orders.listOrders({ userId: user.id, pageSize: 10, pageToken: '' })).orders).toEqual([]);
  });
});

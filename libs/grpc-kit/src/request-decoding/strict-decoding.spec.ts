import { Client, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { service as healthService } from 'grpc-health-check';
import type { Logger } from 'pino';
import { accessLogInterceptor } from '../server/access-log';
import { startTestServer, userServiceDefinition } from '../testing/test-server.test-helpers';
import { rejectMalformedRequests, withStrictDecoding } from './strict-decoding';

// Strict decoding on a real grpc-js server over loopback, with the
// interceptors in the order bootstrapGrpcService installs them. Requests go
// out as raw bytes (an identity serializer), as a hostile client sends them.
describe('strict request decoding', () => {
  const handled: string[] = [];
  const logged: { code: string }[] = [];
  const logger = { debug: (entry: { code: string }) => logged.push(entry) } as unknown as Logger;
  let stop: () => void;
  let client: Client;

  beforeAll(async () => {
    const started = await startTestServer({ interceptors: [accessLogInterceptor(logger), rejectMalformedRequests] }, [
      [withStrictDecoding(userServiceDefinition()), {
        getUser: (call: { request: { id: string } }, callback: (e: unknown, v?: unknown) => void) => {
          handled.push(call.request.id);
          callback({ code: status.NOT_FOUND, details: `user ${call.request.id} not found` });
        },
      }],
      [withStrictDecoding(healthService), { check: (_call: unknown, callback: (e: unknown, v?: unknown) => void) => callback(null, { status: 1 }) }],
    ]);
    stop = started.stop;
    client = new Client(started.address, credentials.createInsecure());
  });
  afterAll(() => {
    client.close();
    stop();
  });
  beforeEach(() => {
    handled.length = 0;
    logged.length = 0;
  });

  const call = (path: string, bytes: Uint8Array) =>
    new Promise<{ code: status; details: string }>((resolve) =>
      client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(bytes), new Metadata(), (error: ServiceError | null) =>
        resolve({ code: error?.code ?? status.OK, details: error?.details ?? '' }),
      ),
    );
  const getUser = (bytes: Uint8Array) => call('/acme.user.v1.UserService/GetUser', bytes);
  const stringField = (bytes: Uint8Array) => new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(bytes).finish();

  it('hands valid requests to the handler', async () => {
    expect(await getUser(stringField(new TextEncoder().encode('ключ')))).toEqual({ code: status.NOT_FOUND, details: 'user ключ not found' });
    expect(handled).toEqual(['ключ']);
  });

  it('answers INVALID_ARGUMENT, not INTERNAL, for bytes the decoder refuses, and never runs the handler', async () => {
    expect(await getUser(Uint8Array.from([0x0a, 0x80]))).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'request is not a valid acme.user.v1.GetUserRequest: premature EOF',
    });
    expect(handled).toEqual([]);
  });

  it('answers INVALID_ARGUMENT naming the field for invalid UTF-8', async () => {
    expect(await getUser(stringField(Uint8Array.from([0xc0, 0xaf])))).toEqual({ code: status.INVALID_ARGUMENT, details: 'id: must be valid UTF-8' });
    expect(handled).toEqual([]);
  });

  it('covers services registered by others (grpc.health.v1)', async () => {
    expect(await call('/grpc.health.v1.Health/Check', stringField(Uint8Array.from([0xff])))).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'service: must be valid UTF-8',
    });
  });

  it('sends its status through the interceptors below it: the access log sees INVALID_ARGUMENT', async () => {
    await getUser(stringField(Uint8Array.from([0xff])));
    expect(logged.map((entry) => entry.code)).toEqual(['INVALID_ARGUMENT']);
  });

  it('wraps each deserializer once, however often a definition is made strict', () => {
    const once = withStrictDecoding(userServiceDefinition());
    expect(withStrictDecoding(once)['GetUser']!.requestDeserialize).toBe(once['GetUser']!.requestDeserialize);
  });
});

import { once } from 'node:events';
import { connect, type ClientHttp2Session } from 'node:http2';
import { Client, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { startTestServer, userServiceDefinition } from '../testing/test-server.test-helpers';
import { serverChannelOptions } from './server-channel-options';

// grpc.max_concurrent_streams on a real grpc-js server: the server never runs
// more calls of one connection at once than the limit, and clients built on
// Node's HTTP/2 (raw node:http2, and grpc-js, which the gateway and
// order-service use) queue the calls above it until one finishes, rather than
// failing them.
describe('concurrent streams per connection', () => {
  const LIMIT = 4;
  let active = 0;
  let maxActive = 0;
  let held: (() => void)[] = [];
  let onHeld: (() => void) | undefined;
  let address: string;
  let stop: () => void;

  beforeAll(async () => {
    const options = serverChannelOptions({ maxConnectionAgeMs: 60_000, maxConnectionAgeGraceMs: 1_000, maxConcurrentStreams: LIMIT }, 4096);
    const started = await startTestServer(options, [
      [userServiceDefinition(), {
        getUser: (_call: unknown, callback: (e: unknown, v?: unknown) => void) => {
          maxActive = Math.max(maxActive, ++active);
          held.push(() => {
            active--;
            callback(null, { id: 'x' });
          });
          onHeld?.();
        },
      }],
    ]);
    ({ address, stop } = started);
  });
  afterAll(() => stop());
  beforeEach(() => {
    maxActive = 0;
    held = [];
  });

  /** Waits until LIMIT calls are held by the server, then lets every call through. */
  async function releaseOnceFull(): Promise<void> {
    await new Promise<void>((resolve) => {
      onHeld = () => held.length === LIMIT && resolve();
      onHeld();
    });
    onHeld = () => held.splice(0).forEach((release) => release());
    onHeld();
  }

  it('advertises the limit, and a raw node:http2 client queues the streams above it', async () => {
    const session: ClientHttp2Session = connect(`http://${address}`);
    await once(session, 'remoteSettings');
    expect(session.remoteSettings.maxConcurrentStreams).toBe(LIMIT);
    const calls = Array.from({ length: 10 }, () => {
      const stream = session.request({ ':method': 'POST', ':path': '/acme.user.v1.UserService/GetUser', 'content-type': 'application/grpc', te: 'trailers' });
      let grpcStatus: string | undefined;
      stream.on('trailers', (trailers) => (grpcStatus = String(trailers['grpc-status'])));
      stream.resume();
      stream.end(Buffer.alloc(5));
      return new Promise<string | undefined>((resolve) => stream.on('close', () => resolve(grpcStatus)));
    });
    await releaseOnceFull();
    expect(await Promise.all(calls)).toEqual(Array(10).fill(String(status.OK)));
    expect(maxActive).toBe(LIMIT);
    session.close();
  });

  it('a grpc-js client with three times as many calls in flight gets every one answered', async () => {
    const client = new Client(address, credentials.createInsecure());
    const calls = Array.from(
      { length: 3 * LIMIT },
      () =>
        new Promise<status>((resolve) =>
          client.makeUnaryRequest('/acme.user.v1.UserService/GetUser', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), new Metadata(), (error: ServiceError | null) =>
            resolve(error?.code ?? status.OK),
          ),
        ),
    );
    await releaseOnceFull();
    expect(await Promise.all(calls)).toEqual(Array(3 * LIMIT).fill(status.OK));
    expect(maxActive).toBe(LIMIT);
    client.close();
  });
});

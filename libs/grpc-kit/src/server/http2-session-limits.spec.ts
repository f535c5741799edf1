import { once } from 'node:events';
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { Client, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { clientKeepaliveOptions, pingPolicyFor } from '../keepalive/keepalive-policy';
import { startTestServer, userServiceDefinition } from '../testing/test-server.test-helpers';
import { onEveryHttp2Session } from './grpc-js-http2-servers';
import { limitHttp2Sessions, MAX_METADATA_BYTES } from './http2-session-limits';

// The session limits on a real grpc-js server over loopback. The keepalive
// interval is scaled down to 200 ms (both ends derive their figures from it,
// as in production from CLIENT_KEEPALIVE_TIME_MS) so our own client pings
// often enough to be seen within a test.
describe('HTTP/2 session limits', () => {
  const KEEPALIVE_MS = 200;
  const floods: string[] = [];
  let pingsReceived = 0;
  const pingListeners = new Set<() => void>();
  let address: string;
  let stop: () => void;

  beforeAll(async () => {
    const started = await startTestServer({}, [
      [userServiceDefinition(), { getUser: (_call: unknown, callback: (e: unknown, v?: unknown) => void) => callback(null, { id: 'x' }) }],
    ]);
    ({ address, stop } = started);
    limitHttp2Sessions(started.server, {
      pingPolicy: pingPolicyFor(KEEPALIVE_MS),
      maxMetadataBytes: MAX_METADATA_BYTES,
      onPingFlood: (session) => floods.push(String(session.socket.remotePort)),
    });
    onEveryHttp2Session(started.server, (session) =>
      session.on('ping', () => {
        pingsReceived++;
        pingListeners.forEach((listener) => listener());
      }),
    );
  });
  afterAll(() => stop());
  beforeEach(() => (floods.length = 0));

  /** Resolves once the server has received `n` more pings. */
  const pingsArrive = (n: number) =>
    new Promise<void>((resolve) => {
      const target = pingsReceived + n;
      const listener = () => {
        if (pingsReceived < target) return;
        pingListeners.delete(listener);
        resolve();
      };
      pingListeners.add(listener);
    });

  async function rawSession(): Promise<ClientHttp2Session> {
    const session = connect(`http://${address}`);
    session.on('error', () => undefined);
    await once(session, 'remoteSettings');
    return session;
  }

  it('answers a ping flood with GOAWAY ENHANCE_YOUR_CALM "too_many_pings" and closes the connection', async () => {
    const session = await rawSession();
    const goaway = once(session, 'goaway');
    const closed = new Promise((resolve) => session.once('close', resolve));
    for (let i = 0; i < 5; i++) session.ping(() => undefined);
    const [code, , data] = (await goaway) as [number, number, Buffer];
    expect({ code, data: data.toString() }).toEqual({ code: constants.NGHTTP2_ENHANCE_YOUR_CALM, data: 'too_many_pings' });
    await closed;
    expect(floods).toHaveLength(1);
  });

  it('tolerates up to two quick pings (strikes), as gRPC C-core does', async () => {
    const session = await rawSession();
    const arrived = pingsArrive(3);
    for (let i = 0; i < 3; i++) session.ping(() => undefined);
    await arrived;
    expect(await rawCall(session)).toBe(String(status.OK)); // the connection is still open
    session.close();
    expect(floods).toEqual([]);
  });

  it('forgives a ping that follows a call (grpc-go probes bandwidth after each response)', async () => {
    const session = await rawSession();
    for (let i = 0; i < 6; i++) {
      expect(await rawCall(session)).toBe(String(status.OK));
      await new Promise((resolve) => session.ping(resolve));
    }
    session.close();
    expect(floods).toEqual([]);
  });

  it('never punishes our own client keepalive, with or without calls in flight', async () => {
    const client = new Client(address, credentials.createInsecure(), clientKeepaliveOptions(KEEPALIVE_MS));
    const disconnects: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 5_000, (error) => (error ? reject(error) : resolve())));
      const channel = client.getChannel();
      channel.watchConnectivityState(channel.getConnectivityState(false), Infinity, () => disconnects.push('state changed'));
      const idle = pingsArrive(4);
      await idle;
      // And with calls between the pings.
      const busy = pingsArrive(4);
      let calls = 0;
      while (!(await Promise.race([busy.then(() => true), unaryCall(client).then(() => false)]))) calls++;
      expect(calls).toBeGreaterThan(0);
      expect(floods).toEqual([]);
      expect(disconnects).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('resets a call whose metadata exceeds MAX_METADATA_BYTES: RESOURCE_EXHAUSTED for a grpc-js client', async () => {
    const client = new Client(address, credentials.createInsecure());
    try {
      const big = new Metadata();
      big.set('x-filler', 'a'.repeat(MAX_METADATA_BYTES));
      expect(await unaryCall(client, big)).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
      const ordinary = new Metadata();
      ordinary.set('x-filler', 'a'.repeat(MAX_METADATA_BYTES / 2));
      expect(await unaryCall(client, ordinary)).toEqual({ code: status.OK });
    } finally {
      client.close();
    }
  });
});

/** A GetUser call (empty request) on a raw session; resolves with its grpc-status. */
function rawCall(session: ClientHttp2Session): Promise<string | undefined> {
  const stream = session.request({ ':method': 'POST', ':path': '/acme.user.v1.UserService/GetUser', 'content-type': 'application/grpc', te: 'trailers' });
  let grpcStatus: string | undefined;
  stream.on('trailers', (trailers) => (grpcStatus = String(trailers['grpc-status'])));
  stream.resume();
  stream.end(Buffer.alloc(5));
  return new Promise((resolve) => stream.on('close', () => resolve(grpcStatus)));
}

function unaryCall(client: Client, metadata = new Metadata()): Promise<{ code: status; details?: string }> {
  return new Promise((resolve) =>
    client.makeUnaryRequest('/acme.user.v1.UserService/GetUser', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), metadata, (error: ServiceError | null) =>
      resolve(error ? { code: error.code, details: error.details } : { code: status.OK }),
    ),
  );
}

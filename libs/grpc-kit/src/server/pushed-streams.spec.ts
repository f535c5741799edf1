import { connect, type IncomingHttpHeaders } from 'node:http2';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { create, toBinary } from '@bufbuild/protobuf';
import { Client, credentials, Metadata, status, type ServerWritableStream, type StatusObject } from '@grpc/grpc-js';
import { grpcCodec, grpcServiceDefinition, orderV1, SERVICES } from '@acme/contracts';
import { StatusError } from '../errors/status-errors';
import { startTestServer } from '../testing/test-server.test-helpers';
import { PushedServerStream, type PushedStream, type PushOptions } from './pushed-streams';
import { LiveStreams, SHUTDOWN_STREAM_STATUS } from './stream-calls';

// A full garbage collection on demand, to see what a live stream still holds.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PATH = `/${SERVICES.order.typeName}/${SERVICES.order.method.watchOrders.name}`;
const codecs = { request: grpcCodec(orderV1.WatchOrdersRequestSchema), response: grpcCodec(orderV1.OrderUpdateSchema) };
const update = (token: number) =>
  create(orderV1.OrderUpdateSchema, {
    kind: orderV1.OrderUpdate_Kind.CREATED,
    resumeToken: String(token),
    order: { id: `order-${token}`, userId: 'u', items: [{ sku: 'x'.repeat(200), quantity: 1, unitPriceCents: 1n }] },
  });
const OPTIONS: PushOptions = { maxBuffered: 5, overflow: () => new StatusError(status.RESOURCE_EXHAUSTED, 'fell 5 behind') };
/** What the transport's exception mapping would answer: a StatusError's own status, INTERNAL for anything else. */
const errorStatus = (error: unknown) => (error instanceof StatusError ? { code: error.code, details: error.message } : { code: status.INTERNAL, details: 'unexpected' });

/**
 * A real grpc-js server over loopback whose WatchOrders runs `start` as
 * GrpcTransport runs a pushedStream(); `ends` counts the onEnd calls.
 */
async function pushedServer(start: (stream: PushedStream<orderV1.OrderUpdate>) => void | Promise<void>, options = OPTIONS) {
  const live = new LiveStreams();
  const streams: PushedStream<orderV1.OrderUpdate>[] = [];
  let ends = 0;
  const server = await startTestServer({}, [
    [
      grpcServiceDefinition(SERVICES.order),
      {
        watchOrders: (call: ServerWritableStream<unknown, unknown>) => {
          const stream = new PushedServerStream(call, options, errorStatus, live, () => undefined);
          streams.push(stream);
          stream.onEnd(() => ends++);
          void stream.run(start as (stream: PushedStream<unknown>) => Promise<void>);
        },
      },
    ],
  ]);
  return { ...server, live, streams, ends: () => ends };
}

/** A grpc-js client's WatchOrders call: the messages it read and, once it ended, its status. */
function watch(address: string) {
  const client = new Client(address, credentials.createInsecure());
  const call = client.makeServerStreamRequest(PATH, codecs.request.serialize, codecs.response.deserialize, create(orderV1.WatchOrdersRequestSchema, { userId: 'u' }));
  const received: string[] = [];
  call.on('data', (message: orderV1.OrderUpdate) => received.push(message.resumeToken));
  const headers = new Promise<Metadata>((resolve) => call.on('metadata', resolve));
  const finished = new Promise<Pick<StatusObject, 'code' | 'details'>>((resolve) => call.on('status', (s: StatusObject) => resolve({ code: s.code, details: s.details })));
  call.on('error', () => undefined); // the status says it
  const until = async (count: number) => {
    while (received.length < count) await new Promise((resolve) => call.once('data', resolve));
  };
  return { call, received, headers, finished, until, close: () => client.close() };
}

describe('pushed server streams (PushedServerStream on a real grpc-js server)', () => {
  it('sends what start writes, then what is pushed later, in order, and ends OK on end()', async () => {
    let later!: PushedStream<orderV1.OrderUpdate>;
    const server = await pushedServer(async (stream) => {
      expect(await stream.send(update(1))).toBe(true);
      expect(await stream.send(update(2))).toBe(true);
      later = stream;
    });
    const client = watch(server.address);
    try {
      await client.until(2);
      expect(later.push(update(3))).toBe(true);
      later.end();
      expect(await client.finished).toEqual({ code: status.OK, details: 'OK' });
      expect(client.received).toEqual(['1', '2', '3']);
      expect(server.ends()).toBe(1);
      expect(later.push(update(4))).toBe(false);
      expect(server.live.size).toBe(0);
    } finally {
      client.close();
      server.stop();
    }
  });

  type Ends = { client: ReturnType<typeof watch>; live: LiveStreams; stream: PushedStream<orderV1.OrderUpdate> };
  it.each<{ how: string; end: (on: Ends) => void; code: status; details?: string }>([
    { how: 'the client cancels', end: ({ client }) => client.call.cancel(), code: status.CANCELLED },
    {
      how: 'the server shuts down (LiveStreams.endAll)',
      end: ({ live }) => live.endAll(SHUTDOWN_STREAM_STATUS),
      code: SHUTDOWN_STREAM_STATUS.code,
      details: SHUTDOWN_STREAM_STATUS.details,
    },
    { how: 'the handler ends it with an error', end: ({ stream }) => stream.end(new StatusError(status.FAILED_PRECONDITION, 'gone')), code: status.FAILED_PRECONDITION, details: 'gone' },
  ])('an idle stream ends when $how: status $code, onEnd called once, its signal aborted, nothing left live', async ({ end, code, details }) => {
    const server = await pushedServer(async (stream) => {
      stream.sendHeaders();
    });
    const client = watch(server.address);
    try {
      await client.headers;
      const stream = server.streams[0]!;
      expect(server.live.size).toBe(1);
      end({ client, live: server.live, stream });
      expect(await client.finished).toMatchObject({ code, ...(details === undefined ? {} : { details }) });
      // The server learns of a cancel asynchronously; the other ends are its own, so at once.
      while (!stream.ended) await new Promise((resolve) => setImmediate(resolve));
      expect(server.ends()).toBe(1);
      expect(stream.signal.aborted).toBe(true);
      expect(server.live.size).toBe(0);
    } finally {
      client.close();
      server.stop();
    }
  });

  it('ends with the status of what start throws, before or after it wrote', async () => {
    const server = await pushedServer(async (stream) => {
      await stream.send(update(1));
      throw new StatusError(status.OUT_OF_RANGE, 'too old');
    });
    const client = watch(server.address);
    try {
      expect(await client.finished).toEqual({ code: status.OUT_OF_RANGE, details: 'too old' });
      expect(client.received).toEqual(['1']);
      expect(server.ends()).toBe(1);
    } finally {
      client.close();
      server.stop();
    }
  });

  it('ends a client that reads nothing with the overflow status once maxBuffered pushed messages wait, and says so when it reads again', async () => {
    let pushed: PushedStream<orderV1.OrderUpdate> | undefined;
    const server = await pushedServer((stream) => {
      pushed = stream;
    });
    // A raw HTTP/2 client that grants no flow-control window: nothing the server writes can leave.
    const session = connect(`http://${server.address}`, { settings: { initialWindowSize: 0 } });
    session.on('error', () => undefined);
    try {
      const request = toBinary(orderV1.WatchOrdersRequestSchema, create(orderV1.WatchOrdersRequestSchema, { userId: 'u' }));
      const frame = Buffer.alloc(5 + request.length);
      frame.writeUInt32BE(request.length, 1);
      frame.set(request, 5);
      const h2 = session.request({ ':method': 'POST', ':path': PATH, 'content-type': 'application/grpc', te: 'trailers' });
      const trailers = new Promise<IncomingHttpHeaders>((resolve) => h2.on('trailers', resolve));
      h2.on('data', () => undefined);
      h2.end(frame);
      while (!pushed) await new Promise((resolve) => setImmediate(resolve));
      const accepted: boolean[] = [];
      for (let i = 1; i <= OPTIONS.maxBuffered + 2; i++) accepted.push(pushed.push(update(i)));
      expect(accepted).toEqual([...Array<boolean>(OPTIONS.maxBuffered).fill(true), false, false]);
      expect(pushed.ended).toBe(true);
      expect(server.ends()).toBe(1);
      session.settings({ initialWindowSize: 65_535 });
      const ended = await trailers;
      expect([ended['grpc-status'], decodeURIComponent(String(ended['grpc-message']))]).toEqual([String(status.RESOURCE_EXHAUSTED), 'fell 5 behind']);
    } finally {
      session.destroy();
      server.stop();
    }
  });

  it('send() waits for the client to make room, so a phase written with it is never over the bound', async () => {
    const COUNT = 200; // far more than the call's buffer (16 messages) and the bound (5)
    let sent = 0;
    const server = await pushedServer(async (stream) => {
      for (let i = 1; i <= COUNT; i++) if (await stream.send(update(i))) sent++;
    });
    const client = watch(server.address);
    try {
      await client.until(COUNT);
      expect(sent).toBe(COUNT);
      expect(server.streams[0]!.ended).toBe(false);
    } finally {
      client.call.cancel();
      client.close();
      server.stop();
    }
  });

  it('keeps none of the messages it has pushed while its stream stays open', async () => {
    const COUNT = 200;
    const written: WeakRef<orderV1.OrderUpdate>[] = [];
    const server = await pushedServer(() => undefined, { ...OPTIONS, maxBuffered: COUNT });
    const client = watch(server.address);
    try {
      while (server.streams.length === 0) await new Promise((resolve) => setImmediate(resolve));
      for (let i = 1; i <= COUNT; i++) {
        const message = update(i);
        written.push(new WeakRef(message));
        server.streams[0]!.push(message);
      }
      await client.until(COUNT);
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        gc();
      }
      // At most the last one written may still be referenced (as with writeStream), never the ones before it.
      expect(written.slice(0, -1).filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    } finally {
      client.call.cancel();
      client.close();
      server.stop();
    }
  });
});

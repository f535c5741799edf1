import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { create } from '@bufbuild/protobuf';
import { Client, credentials, status, type ServerWritableStream } from '@grpc/grpc-js';
import { grpcCodec, grpcServiceDefinition, orderV1, SERVICES } from '@acme/contracts';
import { startTestServer } from '../testing/test-server.test-helpers';
import { LiveStreams, writeStream } from './stream-calls';

// A full garbage collection on demand, to see what a live stream still holds.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// writeStream on a real grpc-js server over loopback.
describe('writeStream', () => {
  it('keeps none of the messages it has written while its stream stays open', async () => {
    const COUNT = 200;
    const written: WeakRef<orderV1.OrderUpdate>[] = [];
    let release: () => void = () => undefined;
    const idle = new Promise<void>((resolve) => (release = resolve));
    async function* updates(): AsyncGenerator<orderV1.OrderUpdate> {
      for (let i = 1; i <= COUNT; i++) {
        const update = create(orderV1.OrderUpdateSchema, {
          kind: orderV1.OrderUpdate_Kind.CREATED,
          resumeToken: String(i),
          order: { id: `order-${i}`, userId: 'u', items: [{ sku: 'x'.repeat(200), quantity: 1, unitPriceCents: 1n }] },
        });
        written.push(new WeakRef(update));
        yield update;
      }
      await idle; // open, with nothing more to send: what a watcher's stream is most of its life
    }
    const { address, stop } = await startTestServer({}, [
      [
        grpcServiceDefinition(SERVICES.order),
        {
          watchOrders: (call: ServerWritableStream<unknown, unknown>) => {
            const controller = new AbortController();
            call.on('cancelled', () => controller.abort());
            void writeStream(call, updates(), controller, () => ({ code: status.INTERNAL, details: 'unexpected' }), new LiveStreams());
          },
        },
      ],
    ]);
    const client = new Client(address, credentials.createInsecure());
    const codecs = { request: grpcCodec(orderV1.WatchOrdersRequestSchema), response: grpcCodec(orderV1.OrderUpdateSchema) };
    const stream = client.makeServerStreamRequest(
      `/${SERVICES.order.typeName}/${SERVICES.order.method.watchOrders.name}`,
      codecs.request.serialize,
      codecs.response.deserialize,
      create(orderV1.WatchOrdersRequestSchema, { userId: 'u' }),
    );
    stream.on('error', () => undefined); // the cancel below
    try {
      let received = 0;
      await new Promise<void>((resolve) => stream.on('data', () => ++received === COUNT && resolve()));
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        gc();
      }
      const alive = written.filter((ref) => ref.deref() !== undefined).length;
      // The stream is open and idle: at most the message in hand may still be referenced.
      expect(alive).toBeLessThanOrEqual(1);
    } finally {
      stream.cancel();
      release();
      client.close();
      stop();
    }
  });
});

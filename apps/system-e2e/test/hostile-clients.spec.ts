import { once } from 'node:events';
import { constants as http2 } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { RawGrpcClient, ServiceStack } from '@acme/testing';
import { MiB, rssBytes, samplePeakRss } from './support/process-memory';
import { status } from './support/expect-status';

// What a hostile client can send straight to the gRPC ports, below any client
// library's own limits: raw bytes over node:http2 against the real processes.
describe('gRPC servers facing a hostile client (real processes, raw HTTP/2)', () => {
  let system: ServiceStack;
  let userId: string;
  let adminToken: string;
  const CREATE_ORDER = '/acme.order.v1.OrderService/CreateOrder';
  const CREATE_USER = '/acme.user.v1.UserService/CreateUser';
  const GET_USER = '/acme.user.v1.UserService/GetUser';
  const orderAddress = () => `127.0.0.1:${system.orderPort}`;
  const userAddress = () => `127.0.0.1:${system.userPort}`;

  beforeAll(async () => {
    system = await ServiceStack.start({
      prefix: 'e2e_hostile',
      // A V8 heap limit of the size a 256 Mi pod leaves to the heap: the first
      // finding was three 4 MiB CreateOrders crashing order-service under it.
      orderEnv: { NODE_OPTIONS: '--max-old-space-size=160' },
    });
    userId = (await system.users.createUser({ email: 'hostile@example.com', name: 'H', idempotencyKey: '' })).id;
    adminToken = await system.identity.token('admin');
  });
  afterAll(() => system?.stop());

  /** items { sku: "A" }: five bytes, so 4 MiB holds 838,848 of them. */
  const TINY_ITEM = Buffer.from([0x12, 0x03, 0x0a, 0x01, 0x41]);

  /** A CreateOrderRequest of `bytes` bytes, nearly all of it tiny items: what grpc-js's default limit lets through. */
  function createOrderOf(bytes: number): Buffer {
    const head = new BinaryWriter().tag(1, WireType.LengthDelimited).string(userId).tag(3, WireType.LengthDelimited).string('k').finish();
    const items = Buffer.alloc(Math.floor((bytes - head.length) / TINY_ITEM.length) * TINY_ITEM.length).fill(TINY_ITEM);
    return Buffer.concat([head, items]);
  }

  /** CreateUserRequest with `name` given as raw bytes (not necessarily UTF-8). */
  const createUserWithNameBytes = (name: number[]) =>
    new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .string(`raw-${Math.random()}@example.com`)
      .tag(2, WireType.LengthDelimited)
      .bytes(Uint8Array.from(name))
      .finish();

  const userCount = async () => (await system.userDb.query<{ n: number }>('SELECT count(*)::int AS n FROM users'))[0]!.n;

  it('refuses eight concurrent 4 MiB CreateOrders with RESOURCE_EXHAUSTED, without the memory they used to cost, and keeps serving', async () => {
    const pid = system.orderService.child.pid!;
    const before = rssBytes(pid);
    const peak = samplePeakRss(pid);
    const message = createOrderOf(4 * MiB);
    const clients = await Promise.all(Array.from({ length: 8 }, () => RawGrpcClient.connect(orderAddress(), { bearerToken: adminToken })));
    try {
      const answers = await Promise.all(clients.map((client) => client.call(CREATE_ORDER, message)));
      const peakRss = peak.stop();
      console.log(`order-service RSS ${(before / MiB).toFixed(0)} MiB before, peak ${(peakRss / MiB).toFixed(0)} MiB under 8 x 4 MiB CreateOrder`);
      for (const answer of answers) {
        expect(answer).toMatchObject({ status: status.RESOURCE_EXHAUSTED, message: expect.stringMatching(/larger than max/) });
      }
      // One such message used to add about 130 MiB (its decoded items) before the rules refused it; eight
      // crashed the process. Now each is refused at its length prefix, and what is left is the 32 MiB sent,
      // read and dropped by the server, awaiting GC (measured: +19 to +31 MiB).
      expect(peakRss - before).toBeLessThan(64 * MiB);
    } finally {
      peak.stop();
      clients.forEach((client) => client.close());
    }
    expect(system.orderService.running).toBe(true);
    const order = await system.orders.createOrder({
      userId,
      idempotencyKey: `after-attack-${Math.random()}`,
      items: [{ sku: 'A', quantity: 1, unitPriceCents: 1n }],
    });
    expect(order.totalCents).toBe(1n);
  });

  it('checks the size after decompression: a 4 MiB CreateOrder gzipped to a few KiB (a gzip bomb) is RESOURCE_EXHAUSTED', async () => {
    const bomb = gzipSync(createOrderOf(4 * MiB));
    expect(bomb.length).toBeLessThan(16 * 1024); // small enough to pass the size check before decompression
    const client = await RawGrpcClient.connect(orderAddress(), { bearerToken: adminToken });
    try {
      expect(await client.call(CREATE_ORDER, bomb, { encoding: 'gzip' })).toMatchObject({
        status: status.RESOURCE_EXHAUSTED,
        message: expect.stringMatching(/decompresses to a size larger than/),
      });
      // A compressed valid request is still welcome.
      const getOrder = new BinaryWriter().tag(1, WireType.LengthDelimited).string(userId).finish();
      expect(await client.call('/acme.order.v1.OrderService/GetOrder', gzipSync(getOrder), { encoding: 'gzip' })).toMatchObject({
        status: status.NOT_FOUND,
      });
    } finally {
      client.close();
    }
  });

  it.each([
    ['a string whose length runs past the end', [0x0a, 0x20, 0x41], /: user_id: its length runs past the end of its message$/],
    ['a string sent as a number', [0x08, 0x01], /: user_id: wire type 0 where a length-delimited field belongs$/],
    ['field number 0', [0x00, 0x01], /: field number 0 is not allowed$/],
    ['a truncated varint', [0x0a, 0x80], /: premature EOF$/],
  ])('answers INVALID_ARGUMENT, naming the message type, for bytes that are not protobuf (%s)', async (_case, bytes, reason) => {
    const orders = await RawGrpcClient.connect(orderAddress(), { bearerToken: adminToken });
    const users = await RawGrpcClient.connect(userAddress(), { bearerToken: adminToken });
    try {
      const order = await orders.call(CREATE_ORDER, Uint8Array.from(bytes));
      expect(order.status).toBe(status.INVALID_ARGUMENT);
      expect(order.message).toMatch(/^request is not a valid acme\.order\.v1\.CreateOrderRequest: /);
      expect(order.message).toMatch(reason);
      const user = await users.call(GET_USER, Uint8Array.from(bytes));
      expect(user).toMatchObject({ status: status.INVALID_ARGUMENT, message: expect.stringMatching(/^request is not a valid acme\.user\.v1\.GetUserRequest: /) });
    } finally {
      orders.close();
      users.close();
    }
  });

  it.each([
    ['a byte that never starts a character', [0x41, 0xff, 0x42]],
    ['a truncated sequence', [0x41, 0xe2, 0x82]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
  ])('refuses a string field that is not UTF-8 (%s) with INVALID_ARGUMENT naming the field, storing nothing', async (_case, name) => {
    const client = await RawGrpcClient.connect(userAddress(), { bearerToken: adminToken });
    try {
      const before = await userCount();
      expect(await client.call(CREATE_USER, createUserWithNameBytes(name))).toEqual({
        status: status.INVALID_ARGUMENT,
        message: 'name: must be valid UTF-8',
        rstCode: 0,
      });
      expect(await userCount()).toBe(before);
    } finally {
      client.close();
    }
  });

  it('answers a caller without a token UNAUTHENTICATED before looking at its bytes, and one with a forged token too', async () => {
    const client = await RawGrpcClient.connect(userAddress());
    try {
      const garbage = Uint8Array.from([0x41, 0xff, 0x42]);
      expect(await client.call(CREATE_USER, garbage)).toEqual({
        status: status.UNAUTHENTICATED,
        message: '/acme.user.v1.UserService/CreateUser needs an access token: send "authorization: Bearer <token>"',
        rstCode: 0,
      });
      const [header, payload] = adminToken.split('.');
      const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
      expect(await client.call(CREATE_USER, garbage, { metadata: { authorization: `Bearer ${forged}` } })).toEqual({
        status: status.UNAUTHENTICATED,
        message: 'the access token signature does not verify',
        rstCode: 0,
      });
    } finally {
      client.close();
    }
  });

  it('names nested string fields by their proto path, and accepts real UTF-8', async () => {
    const item = (sku: Uint8Array) =>
      new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(sku).tag(2, WireType.Varint).int32(1).tag(3, WireType.Varint).int64(1).finish();
    const order = (secondSku: Uint8Array) =>
      new BinaryWriter()
        .tag(1, WireType.LengthDelimited)
        .string(userId)
        .tag(2, WireType.LengthDelimited)
        .bytes(item(Buffer.from('A')))
        .tag(2, WireType.LengthDelimited)
        .bytes(item(secondSku))
        .tag(3, WireType.LengthDelimited)
        .string(`utf8-${Math.random()}`)
        .finish();
    const client = await RawGrpcClient.connect(orderAddress(), { bearerToken: adminToken });
    try {
      expect(await client.call(CREATE_ORDER, order(Uint8Array.from([0x42, 0xff])))).toMatchObject({
        status: status.INVALID_ARGUMENT,
        message: 'items[1].sku: must be valid UTF-8',
      });
      // Valid UTF-8 goes on to the rules, which answer for themselves.
      expect(await client.call(CREATE_ORDER, order(Buffer.from('ключ')))).toMatchObject({
        status: status.INVALID_ARGUMENT,
        message: 'items[1].sku: must match the pattern ^[A-Za-z0-9._-]*$',
      });
    } finally {
      client.close();
    }
  });

  it('resets a call whose metadata exceeds 8 KiB, and takes ordinary metadata', async () => {
    const client = await RawGrpcClient.connect(userAddress(), { bearerToken: adminToken });
    const getUser = new BinaryWriter().tag(1, WireType.LengthDelimited).string(userId).finish();
    try {
      expect(await client.call(GET_USER, getUser, { metadata: { 'x-filler': 'a'.repeat(16 * 1024) } })).toMatchObject({
        status: undefined,
        rstCode: http2.NGHTTP2_ENHANCE_YOUR_CALM,
      });
      expect(await client.call(GET_USER, getUser, { metadata: { 'x-filler': 'a'.repeat(4 * 1024) } })).toMatchObject({ status: status.OK });
    } finally {
      client.close();
    }
    expect(system.userService.running).toBe(true);
  });

  it('limits concurrent streams per connection, and answers a ping flood with GOAWAY ENHANCE_YOUR_CALM "too_many_pings"', async () => {
    for (const address of [userAddress(), orderAddress()]) {
      const client = await RawGrpcClient.connect(address, { bearerToken: adminToken });
      expect(client.session.remoteSettings.maxConcurrentStreams).toBe(100);
      const goaway = once(client.session, 'goaway');
      for (let i = 0; i < 5; i++) client.session.ping(() => undefined);
      const [code, , data] = (await goaway) as [number, number, Buffer];
      expect({ code, data: data.toString() }).toEqual({ code: http2.NGHTTP2_ENHANCE_YOUR_CALM, data: 'too_many_pings' });
      client.close();
    }
    // Only the flooding connection was closed.
    expect((await system.users.getUser({ id: userId })).id).toBe(userId);
  });
});

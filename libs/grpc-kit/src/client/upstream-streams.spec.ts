import { create } from '@bufbuild/protobuf';
import { credentials, Metadata, type ServerReadableStream, type ServerWritableStream, type ServiceError, status } from '@grpc/grpc-js';
import { grpcServiceDefinition, orderV1, SERVICES, type userV1 } from '@acme/contracts';
import { runWithCallContext } from '../context/call-context';
import { startTestServer, userServiceDefinition } from '../testing/test-server.test-helpers';
import { serverChannelOptions } from '../server/server-channel-options';
import { StreamCapacityReached } from './stream-channels';
import { createUpstreamClient, type Upstream } from './upstream-client';

type WatchCall = ServerWritableStream<orderV1.WatchOrdersRequest, orderV1.OrderUpdate>;
type ImportCall = ServerReadableStream<userV1.ImportUsersRequest, userV1.ImportUsersResponse>;

const USER_ID = '01890a5d-ac96-774b-bcce-b302099a8058';
const update = (token: string) => create(orderV1.OrderUpdateSchema, { kind: orderV1.OrderUpdate_Kind.CREATED, resumeToken: token });

/** Resolves when `condition` holds, re-checked on every call of the returned `changed`. */
function condition(check: () => boolean): { reached: Promise<void>; changed(): void } {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  const changed = () => check() && resolve();
  return { reached, changed };
}

// The streaming shapes of the upstream client against a real grpc-js server
// over loopback: what a caller iterates and writes, when it learns the call
// was accepted, what cancels it, and how streams are spread over channels.
describe('upstream client: streams', () => {
  const LIMIT = 2; // the server's max concurrent streams per connection
  let address: string;
  let stop: () => void;
  /** Server-side state of the WatchOrders calls, by their resume_token request field ("what the test wants"). */
  const watches: { call: WatchCall; peer: string; cancelled: boolean; metadata: Metadata }[] = [];
  let watchesChanged = () => undefined as void;
  const imported: string[] = [];
  let importCancelled = false;
  let importsChanged = () => undefined as void;

  beforeAll(async () => {
    const options = serverChannelOptions({ maxConnectionAgeMs: 600_000, maxConnectionAgeGraceMs: 1_000, maxConcurrentStreams: LIMIT }, 4096);
    ({ address, stop } = await startTestServer(options, [
      [
        grpcServiceDefinition(SERVICES.order),
        {
          watchOrders: (call: WatchCall) => {
            const entry = { call, peer: call.getPeer(), cancelled: false, metadata: call.metadata };
            watches.push(entry);
            call.on('cancelled', () => {
              entry.cancelled = true;
              watchesChanged();
            });
            const mode = call.request.resumeToken;
            if (mode === 'refuse') call.emit('error', { code: status.OUT_OF_RANGE, details: 'too old' });
            else if (mode === 'headers') call.sendMetadata(new Metadata());
            else if (mode === 'three') {
              for (const token of ['1', '2', '3']) call.write(update(token));
              call.end();
            } else if (mode === 'many') for (let i = 1; i <= 100; i++) call.write(update(String(i)));
            watchesChanged();
          },
        },
      ],
      [
        userServiceDefinition(),
        {
          getUser: (_call: unknown, callback: (e: unknown, v?: unknown) => void) => callback(null, { id: USER_ID }),
          importUsers: (call: ImportCall, answer: (e: Partial<ServiceError> | null, v?: unknown) => void) => {
            let answered = false;
            const callback = (e: Partial<ServiceError> | null, v?: unknown) => {
              if (!answered) answer(e, v);
              answered = true;
            };
            call.on('cancelled', () => {
              importCancelled = true;
              importsChanged();
            });
            call.on('data', (item: userV1.ImportUsersRequest) => {
              imported.push(item.user?.email ?? '');
              importsChanged();
              if (item.user?.email === 'stop@example.com') callback({ code: status.RESOURCE_EXHAUSTED, details: 'enough' });
            });
            call.on('end', () => callback(null, { created: BigInt(imported.length) }));
          },
        },
      ],
    ]));
  });
  afterAll(() => stop());
  beforeEach(() => {
    watches.length = 0;
    imported.length = 0;
    importCancelled = false;
  });

  const clients: { close(): void }[] = [];
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  const orders = (streams?: { maxOpen: number; perConnection: number }): Upstream<typeof SERVICES.order> => {
    const client = createUpstreamClient({ target: address, service: SERVICES.order, deadlineMs: 5_000, credentials: credentials.createInsecure(), retry: false, ...(streams ? { streams } : {}) });
    clients.push(client);
    return client;
  };
  const users = (): Upstream<typeof SERVICES.user> => {
    const client = createUpstreamClient({ target: address, service: SERVICES.user, deadlineMs: 5_000, credentials: credentials.createInsecure(), retry: false, bearerToken: 't0ken' });
    clients.push(client);
    return client;
  };

  it('a server stream is an async iterable of its messages, ending when the server ends the call', async () => {
    const stream = orders().watchOrders({ userId: USER_ID, resumeToken: 'three' });
    const tokens: string[] = [];
    for await (const message of stream) tokens.push(message.resumeToken);
    expect(tokens).toEqual(['1', '2', '3']);
    await expect(stream.accepted).resolves.toBeUndefined();
  });

  it('is accepted as soon as the server sends its headers, before any message', async () => {
    const stream = orders().watchOrders({ userId: USER_ID, resumeToken: 'headers' });
    await stream.accepted;
    expect(watches).toHaveLength(1);
    stream.cancel();
  });

  it('a refused call rejects `accepted` and throws from the iteration with its status', async () => {
    const stream = orders().watchOrders({ userId: USER_ID, resumeToken: 'refuse' });
    await expect(stream.accepted).rejects.toMatchObject({ code: status.OUT_OF_RANGE, details: 'too old' });
    await expect((async () => {
      for await (const _ of stream) void _;
    })()).rejects.toMatchObject({ code: status.OUT_OF_RANGE });
  });

  it('leaving the iteration early cancels the call on the server, and sends the request id of the call being handled', async () => {
    const stream = runWithCallContext({ requestId: 'req-42', deadline: undefined, method: 'GET /x' }, () => orders().watchOrders({ userId: USER_ID, resumeToken: 'many' }));
    let read = 0;
    for await (const _ of stream) if (++read === 3) break;
    const { reached, changed } = condition(() => watches[0]?.cancelled === true);
    watchesChanged = changed;
    changed();
    await reached;
    expect(watches[0]!.metadata.get('x-request-id')).toEqual(['req-42']);
  });

  it('streams get channels of their own: perConnection streams per connection, maxOpen in all, while unary calls keep their own connection', async () => {
    const client = orders({ maxOpen: 5, perConnection: LIMIT });
    const opened = Array.from({ length: 5 }, () => client.watchOrders({ userId: USER_ID, resumeToken: 'headers' }));
    await Promise.all(opened.map((s) => s.accepted));
    // Three connections (2 + 2 + 1 streams), each a client port of its own, none holding more than the server allows.
    const perPeer = new Map<string, number>();
    for (const { peer } of watches) perPeer.set(peer, (perPeer.get(peer) ?? 0) + 1);
    expect([...perPeer.values()].sort()).toEqual([1, 2, 2]);
    expect(() => client.watchOrders({ userId: USER_ID })).toThrow(StreamCapacityReached);
    // Every stream slot is held, yet a unary call is answered at once: it is on the unary channel.
    await expect(client.getOrder({ id: USER_ID })).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
    // A finished stream gives its slot back.
    opened[0]!.cancel();
    await expect(opened[0]!.accepted).resolves.toBeUndefined();
    const { reached, changed } = condition(() => watches[0]?.cancelled === true);
    watchesChanged = changed;
    changed();
    await reached;
    const again = await pollFor(() => {
      try {
        return client.watchOrders({ userId: USER_ID, resumeToken: 'headers' });
      } catch (error) {
        if (error instanceof StreamCapacityReached) return undefined;
        throw error;
      }
    });
    await again.accepted;
    for (const stream of [again, ...opened]) stream.cancel();
  });

  it('a client stream writes what the source yields, in order, and resolves with the answer', async () => {
    async function* source() {
      for (let i = 0; i < 500; i++) yield { user: { email: `u${i}@example.com`, name: 'U' } };
    }
    const answer = await users().importUsers(source());
    expect(answer.created).toBe(500n);
    expect(imported).toEqual(Array.from({ length: 500 }, (_, i) => `u${i}@example.com`));
  });

  it('stops pulling the source once the server has answered, and rejects with its status', async () => {
    let pulled = 0;
    let returned = false;
    async function* endless() {
      try {
        for (;;) {
          pulled++;
          yield { user: { email: pulled === 10 ? 'stop@example.com' : `e${pulled}@example.com`, name: 'E' } };
        }
      } finally {
        returned = true;
      }
    }
    await expect(users().importUsers(endless())).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED, details: 'enough' });
    // The source was returned (its finally ran), not left to be pulled forever.
    expect(returned).toBe(true);
    expect(pulled).toBeGreaterThanOrEqual(10);
  });

  it('ends at its deadline even while the source has nothing to give (a client holding its body open)', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    async function* stalled() {
      yield { user: { email: 'a@example.com', name: 'A' } };
      await held;
    }
    await expect(users().importUsers(stalled(), { deadlineMs: 200 })).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    const cancelled = condition(() => importCancelled);
    importsChanged = cancelled.changed;
    cancelled.changed();
    await cancelled.reached;
    // Cancelled. (Node's reset of a stream still open for writing sends END_STREAM first, so the server may also see an
    // end; streamedRequests waits for the reset to land. What the client must not do is end the stream itself.)
    expect(importCancelled).toBe(true);
    release();
  });

  it('a source that fails cancels the call, and the caller gets the source’s error', async () => {
    const received = condition(() => imported.length === 1);
    async function* failing() {
      yield { user: { email: 'a@example.com', name: 'A' } };
      // Once the server is handling the call (an RST before that reaches no handler).
      await received.reached;
      throw new Error('the client went away');
    }
    const cancelled = condition(() => importCancelled);
    importsChanged = () => {
      received.changed();
      cancelled.changed();
    };
    await expect(users().importUsers(failing())).rejects.toThrow('the client went away');
    await cancelled.reached;
  });
});

/** Calls `attempt` until it returns something, on each turn of the event loop (at most 1000 times). */
async function pollFor<T>(attempt: () => T | undefined): Promise<T> {
  for (let i = 0; i < 1_000; i++) {
    const value = attempt();
    if (value !== undefined) return value;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('the condition never held');
}

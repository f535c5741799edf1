import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sseWatches } from './sse-watch';
import type { WatchUpdate } from './watch-update';

// A stand-in for the gateway's watch route: what it answers is set per test.
describe('sseWatches', () => {
  let server: Server;
  let base: string;
  let answer: (headers: Record<string, string | string[] | undefined>) => { status: number; body: string };
  const seen: Record<string, string | string[] | undefined>[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers);
      const { status, body } = answer(request.headers);
      response.writeHead(status, { 'content-type': status === 200 ? 'text/event-stream' : 'application/problem+json' });
      // Split mid-event, as a stream may arrive.
      response.write(body.slice(0, 17));
      setImmediate(() => response.end(body.slice(17)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const watch = (resumeToken: string) => {
    const updates: WatchUpdate[] = [];
    const connection = sseWatches([base], 'T')('u-1', resumeToken, 0, (u) => updates.push(u));
    return connection.ended.then((reason) => ({ updates, reason }));
  };

  it('reads the snapshot, the changes with their ids, skips comments and snapshot orders, and reports an error event', async () => {
    answer = () => ({
      status: 200,
      body: [
        ': ping\n',
        `data: ${JSON.stringify({ kind: 'SNAPSHOT', order: { id: 'o0' } })}\n\n`,
        `id: 7\ndata: ${JSON.stringify({ kind: 'SNAPSHOT_END', resumeToken: '7' })}\n\n`,
        ': ping\n',
        `id: 9\ndata: ${JSON.stringify({ kind: 'CREATED', order: { id: 'o1' }, resumeToken: '9' })}\n\n`,
        `event: error\ndata: ${JSON.stringify({ status: 503 })}\n\n`,
      ].join(''),
    });
    const { updates, reason } = await watch('');
    expect(updates).toEqual([
      { kind: 'SNAPSHOT_END', seq: '7' },
      { kind: 'CREATED', seq: '9', orderId: 'o1' },
    ]);
    expect(reason).toBe('event: error {"status":503}');
    expect(seen.at(-1)?.['last-event-id']).toBeUndefined();
  });

  it('resumes with Last-Event-ID and reports a refusal with its status', async () => {
    answer = () => ({ status: 503, body: '{"status":503}' });
    expect((await watch('9')).reason).toBe('HTTP 503: {"status":503}');
    expect(seen.at(-1)).toMatchObject({ 'last-event-id': '9', authorization: 'Bearer T' });
  });
});

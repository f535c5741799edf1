import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { LatencyRelay } from './latency-relay';

// The relay in front of a real echo server on loopback.
describe('LatencyRelay', () => {
  let echo: Server;
  let relay: LatencyRelay;
  let client: Socket;
  let received = '';

  beforeEach(async () => {
    echo = createServer((socket) => socket.pipe(socket)).listen(0, '127.0.0.1');
    await once(echo, 'listening');
    relay = await LatencyRelay.start({ host: '127.0.0.1', port: (echo.address() as { port: number }).port });
    client = connect(relay.port, '127.0.0.1');
    await once(client, 'connect');
    received = '';
    client.on('data', (chunk: Buffer) => (received += chunk.toString()));
  });
  afterEach(async () => {
    client.destroy();
    await relay.stop();
    await new Promise((resolve) => echo.close(resolve));
  });

  const echoed = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => received.includes(text) && (client.off('data', check), resolve());
      client.on('data', check);
      check();
    });

  it('holds each chunk back by the delay, each way', async () => {
    relay.delayMs = 150;
    const sent = performance.now();
    client.write('ping');
    await echoed('ping');
    expect(performance.now() - sent).toBeGreaterThanOrEqual(290); // 150 there, 150 back (timers may fire up to 1 ms early each)
  });

  it('keeps the order when the delay shrinks while chunks are held', async () => {
    relay.delayMs = 200;
    const sent = performance.now();
    client.write('a');
    while (relay.held === 0) await new Promise((resolve) => setImmediate(resolve));
    relay.delayMs = 0;
    client.write('b');
    await echoed('b');
    expect(received).toBe('ab');
    expect(performance.now() - sent).toBeGreaterThanOrEqual(195); // 'b' waited for 'a'
  });

  it('keeps the order of many chunks while the delay keeps changing', async () => {
    const chunks = Array.from({ length: 60 }, (_, i) => `<${i}>`);
    for (const [i, chunk] of chunks.entries()) {
      relay.delayMs = [120, 40, 0, 80, 3][i % 5] as number;
      const before = relay.held;
      client.write(chunk);
      // Each chunk reaches the relay on its own (a write per chunk), before the delay changes again.
      while (relay.held === before && !received.includes(chunk)) await new Promise((resolve) => setImmediate(resolve));
    }
    await echoed('<59>');
    expect(received).toBe(chunks.join(''));
  });
});

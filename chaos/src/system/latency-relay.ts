import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay that can hold every chunk back by `delayMs` in both directions
 * (a slow network path), for the latency faults: @acme/testing's TcpProxy
 * cuts connections but does not delay them. Order is kept: a chunk is never
 * released before one that arrived earlier, also when the delay shrinks.
 */
export class LatencyRelay {
  /** Added to every chunk each way; 0 relays at once. */
  delayMs = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private listeningOn = 0;
  private heldNow = 0;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => this.relay(client, connect(target.port, target.host)));
  }

  /** Listens on a free port of 127.0.0.1 and relays to host:port. */
  static async start(target: { host: string; port: number }): Promise<LatencyRelay> {
    const relay = new LatencyRelay(target);
    relay.server.listen(0, '127.0.0.1');
    await once(relay.server, 'listening');
    const address = relay.server.address();
    if (!address || typeof address === 'string') throw new Error('the latency relay has no port');
    relay.listeningOn = address.port;
    return relay;
  }

  get port(): number {
    return this.listeningOn;
  }

  /** Chunks being held back at this moment, both ways. */
  get held(): number {
    return this.heldNow;
  }

  private relay(client: Socket, upstream: Socket): void {
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    this.forward(client, upstream);
    this.forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  /**
   * Relays `from` to `to`, each chunk no earlier than `delayMs` after it
   * arrived and never before the chunks that arrived earlier: one queue and
   * one timer per direction (a timer per chunk could fire out of order, as
   * Node rounds their start to whole milliseconds, and TCP never reorders).
   */
  private forward(from: Socket, to: Socket): void {
    const queue: { at: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const flush = () => {
      timer = undefined;
      while (queue.length > 0 && (queue[0] as { at: number }).at <= performance.now()) {
        const { chunk } = queue.shift() as { chunk: Buffer };
        this.heldNow--;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(flush, Math.max(1, (queue[0] as { at: number }).at - performance.now()));
      else if (ended) to.end();
    };
    from.on('data', (chunk: Buffer) => {
      if (this.delayMs === 0 && queue.length === 0) {
        to.write(chunk);
        return;
      }
      // Never before the chunk ahead of it, also when the delay just shrank.
      const at = Math.max(performance.now() + this.delayMs, queue[queue.length - 1]?.at ?? 0);
      queue.push({ at, chunk });
      this.heldNow++;
      timer ??= setTimeout(flush, Math.max(1, (queue[0] as { at: number }).at - performance.now()));
    });
    from.on('end', () => {
      ended = true;
      if (queue.length === 0) to.end();
    });
    from.on('close', () => clearTimeout(timer));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

import { type Server, type Socket, connect, createServer } from 'node:net';
import { once } from 'node:events';

/**
 * A TCP relay between a client and a server it depends on (a database, a
 * broker, another service), for tests and measurements:
 * - cut() makes the dependency disappear without stopping a server other runs
 *   share: every open connection is reset (what clients see when a host
 *   dies) and new ones are refused until restore(), on the same port;
 * - waitForTraffic() tells when a request is on its way;
 * - toServer/toClient count the bytes each way (what a call costs on the wire).
 */
export class TcpProxy {
  /** Bytes relayed from clients to the target, and back. */
  toServer = 0;
  toClient = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private trafficWaiters: (() => void)[] = [];

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** Listens on 127.0.0.1 (a free port unless one is given) and relays to host:port. */
  static async start(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(port, target);
    await proxy.listen(port);
    return proxy;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.on('data', (chunk: Buffer) => {
        this.toServer += chunk.length;
        const waiters = this.trafficWaiters;
        this.trafficWaiters = [];
        for (const wake of waiters) wake();
      });
      upstream.on('data', (chunk: Buffer) => (this.toClient += chunk.length));
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    (this as { port: number }).port = typeof address === 'object' && address ? address.port : port;
    this.server = server;
  }

  /** Resolves when the next bytes from a client pass through towards the target (e.g. a request is on its way). */
  waitForTraffic(): Promise<void> {
    return new Promise((resolve) => this.trafficWaiters.push(resolve));
  }

  /** Resets every connection and refuses new ones (the dependency "disappears"). */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) {
      // Only a fully open connection is reset. On one half-closed already (a
      // shutdown pending), Node 20's reset fails and leaks the handle, and the
      // process then spins at exit waiting for it to close.
      if (socket.readyState === 'open') socket.resetAndDestroy();
      else socket.destroy();
    }
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again, on the same port. */
  async restore(): Promise<void> {
    if (!this.server) await this.listen(this.port);
  }

  async stop(): Promise<void> {
    await this.cut();
  }
}

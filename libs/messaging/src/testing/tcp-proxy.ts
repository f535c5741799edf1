import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the broker that a test can cut off and restore, to
 * make the broker "go away" for the services under test without stopping the
 * machine's RabbitMQ (other runs use it). Cutting off closes the listening
 * socket and resets every open connection, which is what clients see when a
 * broker host dies (connection reset, then connection refused until it is
 * back).
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  /** Listens on a free port of 127.0.0.1 and forwards every connection to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.listen();
    return proxy;
  }

  /** The port clients connect to; it stays the same across cutOff()/restore(). */
  get port(): number {
    return this.boundPort;
  }

  get up(): boolean {
    return this.server !== undefined;
  }

  /** Stops accepting and resets every proxied connection. */
  async cutOff(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again, on the same port. */
  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.boundPort;
    this.server = server;
  }
}

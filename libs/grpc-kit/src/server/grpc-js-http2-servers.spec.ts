import { once } from 'node:events';
import { connect, type ServerHttp2Session } from 'node:http2';
import { Server } from '@grpc/grpc-js';
import { startTestServer } from '../testing/test-server.test-helpers';
import { http2ServersOf, onEveryHttp2Session } from './grpc-js-http2-servers';

// The HTTP/2 session defences reach into grpc-js internals. If a grpc-js
// upgrade moves them, this fails (and the services refuse to start) rather
// than the defences silently doing nothing.
describe('the http2 sessions behind a grpc-js Server (grpc-js internals)', () => {
  it('finds the bound http2 server and every session opened on it', async () => {
    const { server, address, stop } = await startTestServer({}, []);
    try {
      expect(http2ServersOf(server)).toHaveLength(1);
      const seen: ServerHttp2Session[] = [];
      const sessionSeen = new Promise<void>((resolve) => onEveryHttp2Session(server, (session) => resolve(void seen.push(session))));
      const client = connect(`http://${address}`);
      await sessionSeen;
      await once(client, 'remoteSettings');
      expect(seen).toHaveLength(1);
      expect(seen[0]!.socket.remotePort).toBe(client.socket.localPort);
      client.close();
    } finally {
      stop();
    }
  });

  it('refuses loudly when there is nothing to reach (an unbound server)', () => {
    expect(() => http2ServersOf(new Server())).toThrow(/no longer exposes its bound http2 servers/);
  });
});

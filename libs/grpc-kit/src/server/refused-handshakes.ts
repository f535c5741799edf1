import type { Server as GrpcServer } from '@grpc/grpc-js';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { http2ServersOf } from './grpc-js-http2-servers';

/** At most one line per this long for the same reason; the ones between are counted in the next. */
const REPEAT_MS = 10_000;

/**
 * Reports the TLS handshakes a bound mTLS server refused (no client
 * certificate, one from another CA, an expired one...): grpc-js drops them
 * without a word, and the client only sees UNAVAILABLE. The report names
 * the peer's address and the reason, and repeats of one reason are folded
 * into a count so a scanner cannot flood the log.
 */
export function reportRefusedHandshakes(server: GrpcServer, report: (line: string) => void): void {
  const last = new Map<string, { at: number; folded: number }>();
  // A refused socket is destroyed before the error is reported, and a destroyed socket has no address any more: note it on arrival.
  const peers = new WeakMap<Socket, string>();
  for (const { server: http2Server } of http2ServersOf(server)) {
    http2Server.prependListener('connection', (socket: Socket) => peers.set(socket, socket.remoteAddress ?? 'unknown'));
    http2Server.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
      // A client certificate that fails verification (expired, unknown CA) is refused by Node after the
      // handshake, with the reason in authorizationError and only "socket hang up" as the error.
      const reason = String(socket.authorizationError ?? error.code ?? error.message);
      const now = Date.now();
      const seen = last.get(reason);
      if (seen && now - seen.at < REPEAT_MS) {
        seen.folded += 1;
        return;
      }
      last.set(reason, { at: now, folded: 0 });
      const folded = seen?.folded ? ` (${seen.folded} more like it since the last report)` : '';
      // Node's TLS server socket keeps the TCP socket it wraps as _parent.
      const peer = peers.get((socket as unknown as { _parent?: Socket })._parent as Socket) ?? 'unknown';
      const why = socket.authorizationError ? `client certificate refused (${String(socket.authorizationError)})` : error.message;
      report(`refused a TLS handshake from ${peer}: ${why}${folded}`);
    });
  }
}

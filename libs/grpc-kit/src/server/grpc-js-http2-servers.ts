import type { Server as GrpcServer } from '@grpc/grpc-js';
import { constants, type Http2Server, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';

// The one place that reaches into @grpc/grpc-js internals. grpc-js offers no
// way to see the HTTP/2 sessions behind a Server, but two defences need them:
// enforcing the clients' ping rate (grpc-js's server ignores
// grpc.http2.min_ping_interval_without_data_ms and
// grpc.keepalive_permit_without_calls altogether) and capping the size of
// request headers (it ignores grpc.max_metadata_size); and so does the end of
// a shutdown's grace period with channelz off, where forceShutdown does not
// see the sessions (server-channel-options.ts). grpc-js 1.14 keeps
// the node:http2 servers of its bound ports in the private map
// `Server#http2Servers` (server -> { sessions }). If an upgrade removes it,
// http2ServersOf throws, so the service refuses to start instead of running
// without those defences, and grpc-js-http2-servers.spec.ts fails.

interface Http2ServerInfo {
  readonly sessions: Set<ServerHttp2Session>;
}

type NodeHttp2Server = Http2Server | Http2SecureServer;

/** The node:http2 servers of a bound grpc-js Server, each with its open sessions. */
export function http2ServersOf(server: GrpcServer): { server: NodeHttp2Server; sessions: ReadonlySet<ServerHttp2Session> }[] {
  const internal = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(internal instanceof Map) || internal.size === 0) {
    throw new Error(
      '@grpc/grpc-js no longer exposes its bound http2 servers as Server#http2Servers (or the server is not bound): ' +
        'the HTTP/2 session defences in libs/grpc-kit/src/server/grpc-js-http2-servers.ts need updating for this grpc-js version',
    );
  }
  return [...(internal as Map<NodeHttp2Server, Http2ServerInfo>).entries()].map(([http2Server, info]) => {
    if (!(info?.sessions instanceof Set)) throw new Error('@grpc/grpc-js http2Servers entries no longer hold their sessions');
    return { server: http2Server, sessions: info.sessions };
  });
}

/** Calls `onSession` for every HTTP/2 session of a bound grpc-js Server: those open now and every later one. */
export function onEveryHttp2Session(server: GrpcServer, onSession: (session: ServerHttp2Session) => void): NodeHttp2Server[] {
  return http2ServersOf(server).map(({ server: http2Server, sessions }) => {
    sessions.forEach(onSession);
    http2Server.on('session', onSession);
    return http2Server;
  });
}

/**
 * Destroys every open HTTP/2 session of these servers with CANCEL, as
 * grpc-js's forceShutdown does for the sessions it records: their calls end
 * at once (the clients see the streams cancelled) instead of holding the
 * process open.
 */
export function cancelHttp2Sessions(servers: readonly { sessions: ReadonlySet<ServerHttp2Session> }[]): void {
  for (const { sessions } of servers) {
    for (const session of [...sessions]) {
      if (!session.closed) session.close();
      // The code as the only argument, as grpc-js passes it: node:http2 then resets every open stream with it (the client sees CANCELLED).
      session.destroy(constants.NGHTTP2_CANCEL as unknown as Error);
    }
  }
}

import type { Server as GrpcServer } from '@grpc/grpc-js';
import type { ServerHttp2Session } from 'node:http2';
import type { PingPolicy } from '../keepalive/keepalive-policy';
import { http2ServersOf, onEveryHttp2Session } from './grpc-js-http2-servers';
import { enforcePingPolicy } from './ping-flood-guard';

/**
 * Largest request header block (all metadata, uncompressed, as HTTP/2 counts
 * it: name + value + 32 per entry) a server accepts: gRPC's own default for
 * grpc.max_metadata_size. Our clients send well under 1 KiB. A larger block
 * gets its stream reset with ENHANCE_YOUR_CALM (grpc-js clients see
 * RESOURCE_EXHAUSTED). Node's default would be 64 KiB per stream.
 */
export const MAX_METADATA_BYTES = 8 * 1024;

export interface Http2SessionLimits {
  readonly pingPolicy: PingPolicy;
  readonly maxMetadataBytes: number;
  /** Called when a session is closed for flooding pings (to log it). */
  readonly onPingFlood: (session: ServerHttp2Session) => void;
}

/**
 * The defences grpc-js's channel options cannot express, applied to the
 * HTTP/2 sessions of a bound server: the metadata size cap (announced in
 * SETTINGS and enforced by Node) and the ping rate.
 */
export function limitHttp2Sessions(server: GrpcServer, limits: Http2SessionLimits): void {
  for (const { server: http2Server } of http2ServersOf(server)) {
    http2Server.updateSettings({ maxHeaderListSize: limits.maxMetadataBytes });
  }
  onEveryHttp2Session(server, (session) => enforcePingPolicy(session, limits.pingPolicy, limits.onPingFlood));
}

import { performance } from 'node:perf_hooks';
import { constants, type ServerHttp2Session } from 'node:http2';
import type { PingPolicy } from '../keepalive/keepalive-policy';

/** GOAWAY debug data gRPC clients recognise: grpc-js and C-core back their keepalive off when they see it. */
const TOO_MANY_PINGS = Buffer.from('too_many_pings');

/**
 * Enforces the clients' ping rate on one HTTP/2 session, as gRPC C-core does:
 * a PING received sooner than `minIntervalMs` after the previous one is a
 * strike; past `maxStrikes` the session gets GOAWAY ENHANCE_YOUR_CALM
 * "too_many_pings" and is closed. Node acknowledges every PING by itself, so
 * without this a client can keep a server busy answering pings at line rate.
 */
export function enforcePingPolicy(session: ServerHttp2Session, policy: PingPolicy, onFlood: (session: ServerHttp2Session) => void): void {
  let lastPingAt = -Infinity;
  let strikes = 0;
  let closing = false;
  // C-core forgives when it sends headers or data: a ping right after a
  // response (grpc-go's bandwidth probes) is no abuse. A new call is the moment
  // this server is about to answer one.
  session.on('stream', () => {
    lastPingAt = -Infinity;
    strikes = 0;
  });
  session.on('ping', () => {
    const now = performance.now();
    if (now - lastPingAt < policy.minIntervalMs) strikes++;
    lastPingAt = now;
    if (strikes <= policy.maxStrikes || closing || session.destroyed) return;
    closing = true; // pings already read in the same chunk still arrive
    onFlood(session);
    session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM, 0, TOO_MANY_PINGS);
    // Next turn of the event loop, once the GOAWAY frame is written.
    setImmediate(() => session.destroy());
  });
}

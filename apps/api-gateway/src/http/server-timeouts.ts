import type { ServerOptions } from 'node:http';

/** How long a client may take, so that a slow or silent one cannot hold a connection forever. */
export interface HttpTimeouts {
  /** From a request's first byte until its headers are complete; then 408 and close. */
  readonly headersMs: number;
  /** From a request's first byte until all of it (body included) has arrived; then 408 and close. */
  readonly requestMs: number;
  /** A connection with no traffic for this long is closed: between requests, or while a client does not read its answer. */
  readonly idleMs: number;
}

/** The Fastify (and, under `http`, Node) server options that enforce the timeouts. */
export function serverTimeoutOptions(timeouts: HttpTimeouts): {
  requestTimeout: number;
  connectionTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
} {
  return {
    // Fastify assigns these to the server after creating it (0 would mean "never").
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.idleMs,
    // socket.setTimeout while a request is handled: catches a client that stops reading its answer.
    connectionTimeout: timeouts.idleMs,
    http: {
      // Node checks at construction that the headers timeout does not exceed the request timeout.
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // Node looks for expired headers and request timeouts only this often (30 s by default,
      // longer than the 10 s headers timeout itself). A tenth of the shorter one keeps each
      // within 10% of its value; each check walks only connections still receiving a request.
      connectionsCheckingInterval: Math.max(1, Math.floor(timeouts.headersMs / 10)),
    },
  };
}

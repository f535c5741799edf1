import { randomUUID } from 'node:crypto';
import { maxHeaderSize, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError } from 'fastify';
import type { Logger } from 'pino';
import { PROBLEM_CONTENT_TYPE, problemDetails, REQUEST_ID_KEY } from '@acme/grpc-kit';
import { requestIdOf } from './request-context';
import type { HttpTimeouts } from './server-timeouts';

type ParseError = ConnectionError & { reason?: string };

/**
 * Fastify's clientErrorHandler: what Node's HTTP server refuses before (or
 * instead of) routing, answered with a problem document like every other
 * error rather than Fastify's bare JSON: a request not received within the
 * headers or request timeout (a trickle, or a Content-Length larger than the
 * body) is 408; headers over Node's limit 431; bytes that are not HTTP/1.1
 * (e.g. a path with bytes outside ASCII) 400. The connection is closed after
 * it: where the request ends is unknown, so it cannot carry another one.
 */
export function clientErrorAnswerer(timeouts: HttpTimeouts, logger: () => Logger) {
  return (error: ParseError, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const response = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    // Once an answer has begun, another cannot be written into it; only the close is left.
    if (socket.writable && !response?.headersSent) {
      // Once the headers were read there is a request, with its id; before that, a fresh one.
      const requestId = response ? requestIdOf(response.req) : randomUUID();
      const [status, detail] = answerTo(error, timeouts);
      const body = JSON.stringify(problemDetails(status, detail, { requestId }));
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_KEY}: ${requestId}\r\n\r\n${body}`,
      );
      // (`res` would go through pino-http's response serializer, which wants a ServerResponse.)
      logger().info({ requestId, statusCode: status, code: error.code }, 'request refused before it was read');
    }
    socket.destroy();
  };
}

/** Status and detail, as Node's own default handler chooses the status. */
function answerTo(error: ParseError, timeouts: HttpTimeouts): [number, string] {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, `the request did not arrive in time: its headers must arrive within ${timeouts.headersMs} ms and all of it within ${timeouts.requestMs} ms`];
    case 'HPE_HEADER_OVERFLOW':
      return [431, `the request's headers are larger than ${maxHeaderSize} bytes`];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'the chunk extensions of the body are too large'];
    case 'HPE_INVALID_URL':
      return [400, `the request is not valid HTTP/1.1 (${error.reason}): percent-encode anything outside ASCII in the path and query`];
    default:
      return [400, `the request is not valid HTTP/1.1 (${error.reason ?? error.code})`];
  }
}

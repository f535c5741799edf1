import { constants, type ClientHttp2Session } from 'node:http2';
// Only node: and pure modules here: the generators that use it load nothing else (their CPU is measured from spawn).
import { GrpcMessageReader } from './grpc-message-reader';

export interface RawUnaryAnswer {
  /** Why the call failed (HTTP status, gRPC status and message, or the stream error); undefined when it succeeded. */
  readonly error?: string;
  /** The response message, when it succeeded. */
  readonly message?: Buffer;
}

/**
 * One unary gRPC call on an open HTTP/2 session, with the request already
 * framed. Never rejects: a failure is an answer, so generators count it.
 */
export function rawUnaryCall(session: ClientHttp2Session, path: string, body: Buffer, timeout: string): Promise<RawUnaryAnswer> {
  return new Promise((resolve) => {
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': timeout,
    });
    let grpcStatus: string | undefined;
    let grpcMessage = '';
    let httpStatus: number | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (headers) => {
      httpStatus = Number(headers[constants.HTTP2_HEADER_STATUS]);
      // A trailers-only answer (errors) carries the status in the headers.
      if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
      if (headers['grpc-message'] !== undefined) grpcMessage = String(headers['grpc-message']);
    });
    stream.on('trailers', (trailers) => {
      grpcStatus = String(trailers['grpc-status']);
      grpcMessage = String(trailers['grpc-message'] ?? '');
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error) => (grpcMessage = error.message));
    stream.on('close', () => {
      const message = httpStatus === 200 && grpcStatus === '0' ? new GrpcMessageReader().push(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks))[0] : undefined;
      if (message) resolve({ message });
      else resolve({ error: `http ${httpStatus ?? '-'} grpc-status ${grpcStatus ?? '-'} ${decodeURIComponent(grpcMessage)}` });
    });
    stream.end(body);
  });
}

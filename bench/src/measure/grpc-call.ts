import { connect, constants } from 'node:http2';
import { grpcUnframe } from '../load/grpc-messages';

export interface RawGrpcAnswer {
  readonly grpcStatus: string;
  readonly grpcMessage: string;
  /** The response messages, unframed. */
  readonly messages: Buffer[];
}

/** One unary gRPC call over a fresh HTTP/2 connection, with the request as bytes: checks what the generators will send. */
export function rawGrpcCall(origin: string, path: string, frame: Buffer): Promise<RawGrpcAnswer> {
  return new Promise((resolve, reject) => {
    const session = connect(origin);
    session.on('error', reject);
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': '10S',
    });
    const chunks: Buffer[] = [];
    let grpcStatus = '';
    let grpcMessage = '';
    const take = (headers: Record<string, unknown>) => {
      if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
      if (headers['grpc-message'] !== undefined) grpcMessage = decodeURIComponent(String(headers['grpc-message']));
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('close', () => {
      session.close();
      resolve({ grpcStatus, grpcMessage, messages: grpcUnframe(Buffer.concat(chunks)) });
    });
    stream.end(frame);
  });
}

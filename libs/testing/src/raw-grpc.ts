import { once } from 'node:events';
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';

/** What a server answered to one raw call: the gRPC status, or the RST_STREAM code if it reset the stream. */
export interface RawGrpcAnswer {
  /** grpc-status, or undefined when the stream was reset before a status arrived. */
  readonly status?: number;
  /** grpc-message, percent-decoded. */
  readonly message: string;
  /** RST_STREAM code (0 when the stream closed normally). */
  readonly rstCode: number;
}

export interface RawCallOptions {
  /** The message as it goes on the wire after the flag byte: set to mark it compressed with this grpc-encoding. */
  readonly encoding?: 'gzip' | 'deflate';
  /** Extra request headers (metadata). */
  readonly metadata?: Record<string, string>;
}

/** The gRPC length-prefixed frame of one message. */
export function grpcFrame(message: Uint8Array, compressed = false): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(compressed ? 1 : 0, 0);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/**
 * gRPC over a bare node:http2 session. It sends exactly the bytes it is given
 * and has no message size limit of its own, so tests can send what a hostile
 * client would: malformed protobuf, invalid UTF-8, 4 MiB messages, gzip bombs,
 * huge metadata, ping floods (through `session`).
 */
export class RawGrpcClient {
  private constructor(
    readonly session: ClientHttp2Session,
    private readonly defaultMetadata: Record<string, string>,
  ) {}

  /** `bearerToken`: sent as `authorization` on every call (a call's own metadata may replace it). */
  static async connect(address: string, options: { bearerToken?: string } = {}): Promise<RawGrpcClient> {
    const session = connect(`http://${address}`);
    // Errors surface through the calls and the 'goaway'/'close' events tests await.
    session.on('error', () => undefined);
    await once(session, 'remoteSettings');
    return new RawGrpcClient(session, options.bearerToken ? { authorization: `Bearer ${options.bearerToken}` } : {});
  }

  /** One unary call: `message` (already encoded protobuf) in one frame, then end of stream. */
  call(path: string, message: Uint8Array, options: RawCallOptions = {}): Promise<RawGrpcAnswer> {
    const stream = this.session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': '20S',
      ...(options.encoding ? { 'grpc-encoding': options.encoding } : {}),
      ...this.defaultMetadata,
      ...options.metadata,
    });
    return new Promise((resolve) => {
      let status: number | undefined;
      let statusMessage = '';
      const read = (headers: IncomingHttpHeaders) => {
        if (headers['grpc-status'] === undefined) return;
        status = Number(headers['grpc-status']);
        statusMessage = decodeURIComponent(String(headers['grpc-message'] ?? ''));
      };
      stream.on('response', read); // trailers-only answers (errors) carry the status here
      stream.on('trailers', read);
      stream.on('data', () => undefined);
      stream.on('error', () => undefined); // a reset stream; reported through rstCode
      stream.on('close', () => resolve({ status, message: statusMessage, rstCode: stream.rstCode ?? 0 }));
      stream.end(grpcFrame(message, options.encoding !== undefined));
    });
  }

  close(): void {
    this.session.close();
  }
}

import { connect, type Socket } from 'node:net';
import type { Json } from './http';

/**
 * HTTP/1.1 over a bare socket, for what fetch (undici) refuses to send:
 * header values with bytes outside ASCII, bodies shorter than their
 * Content-Length, requests trickled a byte at a time. Strings given to it
 * are written as latin1, one byte per character, so '\xe9' is the byte E9.
 */

/** One response as it came off the wire. */
export interface RawResponse {
  readonly status: number;
  /** Each header's value exactly as the bytes sent, by lower-case name. */
  readonly rawHeaders: ReadonlyMap<string, Buffer>;
  /** Parsed JSON (problem+json too), undefined for an empty or non-JSON body. */
  readonly body: Json;
}

/**
 * The bytes of a request: a request line, headers (latin1; a list of pairs
 * when a name repeats) and an optional body (a string is sent as UTF-8).
 * Content-Length is added unless given.
 */
export function rawRequest(method: string, path: string, headers: Record<string, string> | [string, string][], body?: Buffer | string): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: gateway', ...pairs.map(([name, value]) => `${name}: ${value}`)];
  if (bytes && !pairs.some(([name]) => name.toLowerCase() === 'content-length')) lines.push(`Content-Length: ${bytes.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes ?? Buffer.alloc(0)]);
}

export class RawConnection {
  private received = Buffer.alloc(0);
  private readonly waiting: (() => void)[] = [];
  private isClosed = false;
  /** Resolves when the socket closes, with how long it was open. */
  readonly closed: Promise<number>;

  private constructor(private readonly socket: Socket, opened: number) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    // A reset after the server's answer is still a close; the answer was read before it.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        this.wake();
        resolve(performance.now() - opened);
      }),
    );
  }

  static open(baseUrl: string): Promise<RawConnection> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const opened = performance.now();
      const socket = connect(Number(port), hostname, () => resolve(new RawConnection(socket, opened)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** The next complete response; rejects if the connection closes first. */
  async response(): Promise<RawResponse> {
    for (;;) {
      const parsed = parseResponse(this.received);
      if (parsed) {
        this.received = this.received.subarray(parsed.length);
        return parsed.response;
      }
      if (this.isClosed) throw new Error(`connection closed without a complete response (received ${JSON.stringify(this.received.toString('latin1'))})`);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

/** Sends one request on a fresh connection and reads the answer. */
export async function exchange(baseUrl: string, request: Buffer): Promise<RawResponse> {
  const connection = await RawConnection.open(baseUrl);
  try {
    connection.write(request);
    return await connection.response();
  } finally {
    connection.destroy();
  }
}

/** A response with a Content-Length body (all the gateway sends), or undefined while incomplete. */
function parseResponse(bytes: Buffer): { response: RawResponse; length: number } | undefined {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...headerLines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const rawHeaders = new Map<string, Buffer>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    rawHeaders.set(line.slice(0, colon).toLowerCase(), Buffer.from(line.slice(colon + 1).trim(), 'latin1'));
  }
  const bodyLength = Number(rawHeaders.get('content-length')?.toString('latin1') ?? 0);
  const bodyStart = headEnd + 4;
  if (bytes.length < bodyStart + bodyLength) return undefined;
  const text = bytes.subarray(bodyStart, bodyStart + bodyLength).toString('utf8');
  const json = /json/.test(rawHeaders.get('content-type')?.toString('latin1') ?? '') && text !== '';
  return { response: { status: Number(statusLine.split(' ')[1]), rawHeaders, body: json ? JSON.parse(text) : undefined }, length: bodyStart + bodyLength };
}

import { request, type IncomingHttpHeaders, type IncomingMessage, type ClientRequest } from 'node:http';

/** One Server-Sent Event as a reader dispatches it. */
export interface ReceivedEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data: string;
}

/**
 * A text/event-stream response read as an EventSource reads it (fields,
 * multi-line data, comments skipped but counted), for tests: every event in
 * order, the status and headers, and when the stream ended. `until`
 * resolves when a condition on the events holds (re-checked on every event
 * and comment),
 * or rejects when the stream ends first. Not an EventSource: it never
 * reconnects by itself; a test reconnects with Last-Event-ID as one would.
 */
export class SseClient {
  readonly events: ReceivedEvent[] = [];
  comments = 0;
  private buffer = '';
  private fields: { id?: string; event?: string; data: string[] } = { data: [] };
  private readonly checks = new Set<() => void>();
  private done = false;
  /** Resolves when the response ends (or the connection closes). */
  readonly ended: Promise<void>;

  private constructor(
    private readonly req: ClientRequest,
    readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.feed(chunk));
    this.ended = new Promise<void>((resolve) => response.once('close', resolve)).then(() => {
      this.done = true;
      for (const check of [...this.checks]) check();
    });
  }

  /** GET `url`, resolving once the response headers arrived (whatever the status). */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => resolve(new SseClient(req, response)));
      req.on('error', reject);
      req.end();
    });
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  get headers(): IncomingHttpHeaders {
    return this.response.headers;
  }

  /** The id of the last event that had one: what an EventSource sends back as Last-Event-ID. */
  get lastEventId(): string {
    return [...this.events].reverse().find((e) => e.id !== undefined)?.id ?? '';
  }

  /** Events without a type (`message`), their data parsed as JSON. */
  messages<T = Record<string, unknown>>(): T[] {
    return this.events.filter((e) => e.event === undefined).map((e) => JSON.parse(e.data) as T);
  }

  /** The whole body, for a response that is not an event stream (a problem document). */
  async text(): Promise<string> {
    await this.ended;
    return this.buffer;
  }

  until(condition: (events: readonly ReceivedEvent[]) => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition(this.events)) {
          this.checks.delete(check);
          resolve();
        } else if (this.done) {
          this.checks.delete(check);
          reject(new Error(`the event stream ended before ${what}; got ${this.events.length} events: ${JSON.stringify(this.events.slice(-3))}`));
        }
      };
      this.checks.add(check);
      check();
    });
  }

  /** Goes away as a browser tab closing would: the connection is destroyed. */
  close(): void {
    this.req.destroy();
  }

  private feed(chunk: string): void {
    if (!String(this.response.headers['content-type']).startsWith('text/event-stream')) {
      this.buffer += chunk;
      return;
    }
    this.buffer += chunk;
    for (let end = this.buffer.search(/\r\n|\r|\n/); end !== -1; end = this.buffer.search(/\r\n|\r|\n/)) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n', end) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.fields.data.length > 0) {
        const { id, event, data } = this.fields;
        this.events.push({ ...(id !== undefined ? { id } : {}), ...(event !== undefined ? { event } : {}), data: data.join('\n') });
        for (const check of [...this.checks]) check();
      }
      this.fields = { data: [] };
      return;
    }
    if (line.startsWith(':')) {
      this.comments++;
      for (const check of [...this.checks]) check();
      return;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'data') this.fields.data.push(value);
    else if (name === 'id') this.fields.id = value;
    else if (name === 'event') this.fields.event = value;
  }
}

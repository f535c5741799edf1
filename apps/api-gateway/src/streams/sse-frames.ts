// The text/event-stream format (WHATWG HTML, "Server-sent events"): an event
// is `field: value` lines ended by a blank line; `data` lines are joined with
// newlines by the reader, so a value with line breaks becomes several data
// lines; a line starting with a colon is a comment, which readers skip (a
// heartbeat that keeps proxies from closing a quiet stream).

export const EVENT_STREAM_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/** One event. `id` becomes the reader's last event id (EventSource sends it back as Last-Event-ID when it reconnects). */
export interface ServerSentEvent {
  readonly data: string;
  readonly id?: string;
  /** The event type; readers dispatch events without one as `message`. */
  readonly event?: string;
}

const LINE_BREAK = /\r\n|\r|\n/;

/** A field value that must stay one line: a break would start another field, and the spec ignores an id holding NUL. */
function oneLine(name: string, value: string): string {
  if (LINE_BREAK.test(value) || value.includes('\0')) throw new Error(`an SSE ${name} cannot contain a line break or NUL: ${JSON.stringify(value)}`);
  return value;
}

export function sseEvent({ data, id, event }: ServerSentEvent): string {
  let frame = '';
  if (event !== undefined) frame += `event: ${oneLine('event', event)}\n`;
  if (id !== undefined) frame += `id: ${oneLine('id', id)}\n`;
  for (const line of data.split(LINE_BREAK)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

/** A comment line: ignored by readers, it only shows the connection is alive. */
export function sseComment(text: string): string {
  return `: ${oneLine('comment', text)}\n`;
}

import { sseComment, sseEvent } from './sse-frames';

describe('SSE framing', () => {
  it('writes an event as its fields, one data line per line of data, and a blank line', () => {
    expect(sseEvent({ data: '{"kind":"CREATED"}', id: '42' })).toBe('id: 42\ndata: {"kind":"CREATED"}\n\n');
    expect(sseEvent({ event: 'error', data: 'a\nb\r\nc\rd' })).toBe('event: error\ndata: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(sseEvent({ data: '' })).toBe('data: \n\n');
  });

  it('refuses an id or event type that would break out of its line', () => {
    expect(() => sseEvent({ data: 'x', id: '1\ndata: forged' })).toThrow('an SSE id cannot contain a line break or NUL');
    expect(() => sseEvent({ data: 'x', id: 'a\0b' })).toThrow('an SSE id cannot contain a line break or NUL');
    expect(() => sseEvent({ data: 'x', event: 'a\rb' })).toThrow('an SSE event cannot contain a line break or NUL');
  });

  it('writes a heartbeat as a comment line, which readers skip', () => {
    expect(sseComment('ping')).toBe(': ping\n');
  });
});

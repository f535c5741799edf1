/** One line of a newline-delimited body, numbered from 0: its bytes (line break excluded), or that it was longer than the limit. */
export type NdjsonLine = { readonly index: number; readonly bytes: Buffer } | { readonly index: number; readonly tooLong: true };

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines (LF or CRLF) as the chunks arrive, holding
 * at most `maxLineBytes` of an unfinished line: a longer line is not kept
 * but reported by its index (`tooLong`) once its end is reached, and the
 * lines after it are read as usual. Every line break ends a line, so an
 * empty line is a line too; the text after the last break is one if it is
 * not empty. The chunks are pulled only as fast as the lines are, so a
 * reader that stops pulling stops the stream.
 */
export async function* ndjsonLines(chunks: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<NdjsonLine> {
  let index = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflowed = false;
  const finish = (last: Buffer): NdjsonLine => {
    const tooLong = overflowed || pendingBytes + last.length > maxLineBytes;
    const line: NdjsonLine = tooLong ? { index, tooLong: true } : { index, bytes: withoutCr(pending.length === 0 ? last : Buffer.concat([...pending, last])) };
    index++;
    pending = [];
    pendingBytes = 0;
    overflowed = false;
    return line;
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (let end = chunk.indexOf(LF, start); end !== -1; end = chunk.indexOf(LF, start)) {
      yield finish(chunk.subarray(start, end));
      start = end + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) continue;
    if (overflowed || pendingBytes + rest.length > maxLineBytes) {
      overflowed = true;
      pending = [];
    } else {
      pending.push(rest);
    }
    pendingBytes += rest.length;
  }
  if (pendingBytes > 0) yield finish(Buffer.alloc(0));
}

/** CRLF ends a line as LF does; the CR is not part of it. */
const withoutCr = (line: Buffer): Buffer => (line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line);

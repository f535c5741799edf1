import { ndjsonLines, type NdjsonLine } from './ndjson-lines';

async function* chunksOf(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

const read = async (max: number, ...parts: string[]) => {
  const lines: (string | 'TOO LONG')[] = [];
  for await (const line of ndjsonLines(chunksOf(...parts), max)) lines.push('tooLong' in line ? 'TOO LONG' : line.bytes.toString());
  return lines;
};

describe('ndjsonLines', () => {
  it('splits on LF and CRLF, empty lines included, the text after the last break only when there is some', async () => {
    expect(await read(100, '{"a":1}\n{"b":2}\r\n\n{"c":3}')).toEqual(['{"a":1}', '{"b":2}', '', '{"c":3}']);
    expect(await read(100, 'x\n')).toEqual(['x']);
    expect(await read(100, '')).toEqual([]);
  });

  it('joins a line split across chunks, wherever the chunks break it', async () => {
    const text = '{"email":"ada@example.com"}\n{"email":"grace@example.com"}\r\n';
    for (let cut = 0; cut <= text.length; cut++) {
      expect(await read(100, text.slice(0, cut), text.slice(cut))).toEqual(['{"email":"ada@example.com"}', '{"email":"grace@example.com"}']);
    }
    expect(await read(100, 'a', 'b', 'c', '\n', 'd')).toEqual(['abc', 'd']);
  });

  it('reports a line longer than the limit by its index, keeps none of it, and reads on', async () => {
    expect(await read(5, '12345\n123456\nok\n')).toEqual(['12345', 'TOO LONG', 'ok']);
    // Across chunks, and as the last line.
    expect(await read(5, '123', '456', '789\nok\n', '1234', '56')).toEqual(['TOO LONG', 'ok', 'TOO LONG']);
    const indexed: NdjsonLine[] = [];
    for await (const line of ndjsonLines(chunksOf('a\n', 'x'.repeat(50), '\nb'), 10)) indexed.push(line);
    expect(indexed.map((l) => [l.index, 'tooLong' in l])).toEqual([
      [0, false],
      [1, true],
      [2, false],
    ]);
  });

  it('skips an over-long line without keeping it, and pulls no chunk past the one the reader needed', async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled++;
        yield Buffer.alloc(1024, 'x');
        if (pulled === 1_000) yield Buffer.from('\nend');
      }
    }
    const lines = ndjsonLines(endless(), 4096);
    const first = await lines.next();
    expect(first.value).toEqual({ index: 0, tooLong: true });
    // Reading stops with the reader: nothing was pulled past the chunk that ended the line.
    expect(pulled).toBe(1_000);
    await lines.return(undefined);
  });
});

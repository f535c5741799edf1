import { isUtf8 } from 'node:buffer';
import { decodeUtf8KeepingInvalidBytes, escapedBytes, findIllFormedText, loneSurrogatesIn, percentDecode } from './unicode';

const bytes = (...values: number[]) => Buffer.from(values);

/** The inverse of decodeUtf8KeepingInvalidBytes: U+DC80..U+DCFF back to their byte, everything else as UTF-8. */
const reencode = (text: string) =>
  Buffer.concat([...text].map((c) => (/^[\udc80-\udcff]$/.test(c) ? bytes(c.charCodeAt(0) & 0xff) : Buffer.from(c, 'utf8'))));

describe('decodeUtf8KeepingInvalidBytes', () => {
  it('decodes UTF-8 exactly as Buffer#toString does, a genuine U+FFFD included', () => {
    for (const text of ['', 'plain', 'Zoë 山田 🚀', '\ufffd', '\u{10ffff}']) {
      expect(decodeUtf8KeepingInvalidBytes(Buffer.from(text, 'utf8'))).toBe(text);
    }
  });

  it('turns each byte outside a well-formed sequence into U+DC80..U+DCFF, where Buffer#toString would write U+FFFD', () => {
    expect(decodeUtf8KeepingInvalidBytes(bytes(0x41, 0xe9, 0x42))).toBe('A\udce9B'); // Latin-1 é
    expect(decodeUtf8KeepingInvalidBytes(bytes(0xf0, 0x9f, 0x98, 0x42))).toBe('\udcf0\udc9f\udc98B'); // truncated 🚀
    expect(decodeUtf8KeepingInvalidBytes(bytes(0xed, 0xa0, 0x80))).toBe('\udced\udca0\udc80'); // an encoded surrogate
    expect(decodeUtf8KeepingInvalidBytes(bytes(0xc0, 0xaf))).toBe('\udcc0\udcaf'); // overlong '/'
    expect(decodeUtf8KeepingInvalidBytes(bytes(0xf4, 0x90, 0x80, 0x80))).toBe('\udcf4\udc90\udc80\udc80'); // past U+10FFFF
    expect(decodeUtf8KeepingInvalidBytes(bytes(0x80, 0xc3, 0xa9))).toBe('\udc80é');
  });

  it('agrees with isUtf8 on random bytes, and loses none of them', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 5_000; n++) {
      // Mostly high bytes, so that valid and invalid multi-byte sequences both occur.
      const input = Buffer.from(Array.from({ length: Math.floor(random() * 8) }, () => (random() < 0.8 ? 0x80 + Math.floor(random() * 0x80) : Math.floor(random() * 0x80))));
      const text = decodeUtf8KeepingInvalidBytes(input);
      expect(text.isWellFormed()).toBe(isUtf8(input));
      expect(reencode(text)).toEqual(input);
    }
  });
});

describe('percentDecode', () => {
  it('decodes escapes of UTF-8 and leaves a % that starts no escape as it is', () => {
    expect(percentDecode('caf%C3%A9')).toBe('café');
    expect(percentDecode('%25E9')).toBe('%E9');
    expect(percentDecode('50%')).toBe('50%');
    expect(percentDecode('%zz%41')).toBe('%zzA');
    expect(percentDecode('no escapes')).toBe('no escapes');
  });

  it('keeps escapes whose bytes are not UTF-8 visible as lone surrogates', () => {
    expect(percentDecode('%E9')).toBe('\udce9');
    expect(escapedBytes(loneSurrogatesIn(percentDecode('ok%ED%A0%80')))).toEqual([0xed, 0xa0, 0x80]);
  });
});

describe('loneSurrogatesIn', () => {
  it('finds the first run of surrogates that are not a high-low pair', () => {
    expect(loneSurrogatesIn('A\ud800B')).toEqual([0xd800]);
    expect(loneSurrogatesIn('x\udc00\ud800y\ud801')).toEqual([0xdc00, 0xd800]);
    expect(loneSurrogatesIn('\ude80\ud800')).toEqual([0xde80, 0xd800]);
    expect(loneSurrogatesIn('a\ud800\ude80\ud801')).toEqual([0xd801]);
    expect(loneSurrogatesIn('🚀 fine')).toEqual([]);
  });
});

describe('findIllFormedText', () => {
  it('finds the first string that is not well formed, in document order, with its path', () => {
    expect(findIllFormedText({ email: 'a@b.co', name: 'A\ud800B' })).toEqual({ instancePath: '/name', text: 'A\ud800B', inName: false });
    expect(findIllFormedText({ items: [{ sku: 'A' }, { sku: 'B\udc00' }], later: '\ud800' })).toMatchObject({ instancePath: '/items/1/sku' });
    expect(findIllFormedText({ 'a/b~c': ['\ud800'] })).toMatchObject({ instancePath: '/a~1b~0c/0' });
    expect(findIllFormedText('\ud800')).toMatchObject({ instancePath: '' });
  });

  it('checks field names too, reporting the object that holds them', () => {
    expect(findIllFormedText({ items: [{ '\ud800': 1 }] })).toEqual({ instancePath: '/items/0', text: '\ud800', inName: true });
  });

  it('finds nothing in well-formed input, numbers, booleans and null', () => {
    expect(findIllFormedText({ name: 'Zoë 🚀', n: 1, ok: true, none: null, list: [[], {}] })).toBeUndefined();
  });

  it('walks a deeply nested body without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}"\\ud800"${']'.repeat(200_000)}`);
    expect(findIllFormedText(deep)?.instancePath).toBe('/0'.repeat(200_000));
  });
});

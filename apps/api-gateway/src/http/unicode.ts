import { isUtf8 } from 'node:buffer';

// Text that is not well-formed Unicode is refused at the edge, never
// repaired: Fastify decodes bytes that are not UTF-8 to U+FFFD, and the gRPC
// encoder turns a lone UTF-16 surrogate (what JSON's "\ud800" escape yields)
// into U+FFFD too, so the service would store something the client never sent.
//
// Bytes that are not UTF-8 are decoded here to lone surrogates, U+DC80 to
// U+DCFF, one per byte (PEP 383's "surrogateescape"): then one check,
// String#isWellFormed, finds both kinds of fault, wherever they sit in a
// request, and the bytes can still be named in the answer.

/** Marks the byte b (0x80..0xFF) that is not part of a UTF-8 sequence. */
const ESCAPED_BYTE_BASE = 0xdc00;

/** UTF-8 as Buffer#toString decodes it, except that invalid bytes become U+DC80..U+DCFF instead of U+FFFD. */
export function decodeUtf8KeepingInvalidBytes(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let text = '';
  let validFrom = 0;
  for (let i = 0; i < bytes.length; ) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += bytes.toString('utf8', validFrom, i) + String.fromCharCode(ESCAPED_BYTE_BASE | bytes[i]);
    validFrom = ++i;
  }
  return text + bytes.toString('utf8', validFrom);
}

/**
 * Percent-decodes to the bytes the escapes stand for, then decodes those as
 * UTF-8 keeping invalid bytes visible (above). A '%' that starts no %XX
 * escape stays as it is, as in the WHATWG URL standard's form decoding.
 */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  const pieces = text.split(/(%[0-9A-Fa-f]{2})/);
  return decodeUtf8KeepingInvalidBytes(
    Buffer.concat(pieces.map((piece, i) => (i % 2 === 1 ? Buffer.from([parseInt(piece.slice(1), 16)]) : Buffer.from(piece, 'utf8')))),
  );
}

/** The first run of lone surrogates in `text` (their UTF-16 code units), empty when it is well formed. */
export function loneSurrogatesIn(text: string): number[] {
  const run: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const pair = isHigh(unit) && isLow(text.charCodeAt(i + 1));
    if (isSurrogate(unit) && !pair) run.push(unit);
    else if (run.length > 0) return run;
    if (pair) i++;
  }
  return run;
}

/** The bytes that lone surrogates from decodeUtf8KeepingInvalidBytes stand for. */
export const escapedBytes = (units: readonly number[]): number[] => units.map((unit) => unit & 0xff);

/** Where a string that is not well formed sits: a JSON-pointer-like path and whether it is a field name there. */
export interface IllFormedText {
  /** `/items/1/sku`; the object holding the name when `inName`. */
  readonly instancePath: string;
  readonly text: string;
  readonly inName: boolean;
}

/**
 * The first string (value or field name, in document order) that is not
 * well-formed Unicode, anywhere in parsed JSON, a query or path parameters.
 * Iterative, so a deeply nested body cannot overflow the stack.
 */
export function findIllFormedText(value: unknown): IllFormedText | undefined {
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, instancePath] = next;
    if (typeof current === 'string') {
      if (!current.isWellFormed()) return { instancePath, text: current, inName: false };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    const entries = Object.entries(current);
    if (!Array.isArray(current)) {
      const name = entries.find(([key]) => !key.isWellFormed())?.[0];
      if (name !== undefined) return { instancePath, text: name, inName: true };
    }
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      pending.push([child, `${instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
    }
  }
  return undefined;
}

/**
 * Length of the well-formed UTF-8 sequence at bytes[i], 0 if there is none
 * (Unicode Table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF).
 */
function sequenceLength(bytes: Buffer, i: number): number {
  const lead = bytes[i];
  if (lead < 0x80) return 1;
  const form = SEQUENCES.find(([low, high]) => lead >= low && lead <= high);
  if (!form) return 0;
  const [, , length, secondLow, secondHigh] = form;
  if (i + length > bytes.length) return 0;
  const second = bytes[i + 1];
  if (second < secondLow || second > secondHigh) return 0;
  for (let k = 2; k < length; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return 0;
  return length;
}

/** [lead low, lead high, length, second byte low, second byte high]; later bytes are always 0x80..0xBF. */
const SEQUENCES: readonly (readonly [number, number, number, number, number])[] = [
  [0xc2, 0xdf, 2, 0x80, 0xbf],
  [0xe0, 0xe0, 3, 0xa0, 0xbf],
  [0xe1, 0xec, 3, 0x80, 0xbf],
  [0xed, 0xed, 3, 0x80, 0x9f],
  [0xee, 0xef, 3, 0x80, 0xbf],
  [0xf0, 0xf0, 4, 0x90, 0xbf],
  [0xf1, 0xf3, 4, 0x80, 0xbf],
  [0xf4, 0xf4, 4, 0x80, 0x8f],
];

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;
const isSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdfff;

import { isAscii, isUtf8 } from 'node:buffer';
import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';

// Which string field is not UTF-8. The generated decoder refuses such a
// request but only says "not valid for encoding utf-8"; a client needs the
// field. This walks the wire bytes of a request with its message descriptor
// and names the first string field that is not UTF-8 or does not fit in its
// message. It reads only tags, lengths and the bytes of strings; wire types
// and field numbers it does not walk stay the decoder's business.

/** What is wrong with a request's string fields: `path` is the proto field path, e.g. `items[2].sku` ('' for the request itself). */
export interface StringFieldProblem {
  readonly path: string;
  /** 'utf8': the bytes are not UTF-8; otherwise why the bytes are not protobuf. */
  readonly problem: 'utf8' | string;
}

export type StringFieldCheck = (bytes: Uint8Array) => StringFieldProblem | undefined;

/** The fields of one message that can hold strings, by field number. */
type Schema = Map<number, StringField | MessageField>;
interface StringField {
  readonly kind: 'string';
  readonly name: string;
  readonly repeated: boolean;
}
interface MessageField {
  readonly kind: 'message';
  readonly name: string;
  readonly repeated: boolean;
  readonly schema: Schema;
}

/** A check for requests of `message`; undefined when the message cannot hold a string at any depth. */
export function stringFieldCheckFor(message: DescMessage): StringFieldCheck | undefined {
  const schema = compile(message, new Map());
  if (schema.size === 0) return undefined;
  // In a request that is all ASCII every string is ASCII: one native pass
  // over it spares the per-string checks (all of GetUser's requests).
  return (bytes) => firstProblem(bytes, 0, bytes.length, schema, !isAscii(bytes));
}

function compile(message: DescMessage, done: Map<DescMessage, Schema>): Schema {
  const known = done.get(message);
  // Also the way out of recursive messages: a message being compiled is kept
  // (its schema fills in as the compilation returns), which errs on the side of walking.
  if (known) return known;
  const schema: Schema = new Map();
  done.set(message, schema);
  for (const field of message.fields) {
    const entry = fieldEntry(field, done);
    if (entry) schema.set(field.number, entry);
  }
  return schema;
}

function fieldEntry(field: DescField, done: Map<DescMessage, Schema>): StringField | MessageField | undefined {
  const { name } = field;
  switch (field.fieldKind) {
    case 'scalar':
      return field.scalar === ScalarType.STRING ? { kind: 'string', name, repeated: false } : undefined;
    case 'list':
      if (field.listKind === 'scalar') return field.scalar === ScalarType.STRING ? { kind: 'string', name, repeated: true } : undefined;
      if (field.listKind === 'message') return nonEmpty({ kind: 'message', name, repeated: true, schema: compile(field.message, done) });
      return undefined;
    case 'message':
      return nonEmpty({ kind: 'message', name, repeated: false, schema: compile(field.message, done) });
    case 'map': {
      // On the wire a map is a repeated entry message { key = 1; value = 2; }.
      const entry: Schema = new Map();
      if (field.mapKey === ScalarType.STRING) entry.set(1, { kind: 'string', name: 'key', repeated: false });
      if (field.mapKind === 'scalar' && field.scalar === ScalarType.STRING) entry.set(2, { kind: 'string', name: 'value', repeated: false });
      if (field.mapKind === 'message') entry.set(2, { kind: 'message', name: 'value', repeated: false, schema: compile(field.message, done) });
      return nonEmpty({ kind: 'message', name, repeated: true, schema: entry });
    }
    default:
      return undefined; // enums
  }
}

const nonEmpty = (field: MessageField): MessageField | undefined => (field.schema.size > 0 ? field : undefined);

/**
 * Walks the fields of one message in bytes[start, end) and returns the first
 * problem, its path relative to this message. Written to allocate nothing
 * unless it finds one: this runs on every request.
 */
function firstProblem(bytes: Uint8Array, start: number, end: number, schema: Schema, checkUtf8: boolean): StringFieldProblem | undefined {
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    pos = readVarint(bytes, pos, end);
    if (pos < 0) return undefined; // a broken tag: the decoder has refused it already
    const tag = varint;
    const field = schema.get(tag >>> 3);
    if (tag >>> 3 === 0) return { path: '', problem: 'field number 0 is not allowed' };
    if ((tag & 7) !== 2) {
      if (field) return { path: label(field, bytes, start, fieldStart, tag), problem: `wire type ${tag & 7} where a length-delimited field belongs` };
      pos = skip(bytes, pos, end, tag & 7, tag >>> 3);
      if (pos < 0) return undefined;
      continue;
    }
    pos = readVarint(bytes, pos, end);
    if (pos < 0) return undefined;
    const valueStart = pos;
    pos += varint;
    if (pos > end) {
      return field ? { path: label(field, bytes, start, fieldStart, tag), problem: 'its length runs past the end of its message' } : undefined;
    }
    if (!field) continue; // not a string: bytes, packed numbers, unknown fields
    if (field.kind === 'string') {
      if (checkUtf8 && !isUtf8Text(bytes, valueStart, pos)) return { path: label(field, bytes, start, fieldStart, tag), problem: 'utf8' };
    } else {
      const inner = firstProblem(bytes, valueStart, pos, field.schema, checkUtf8);
      if (inner !== undefined) {
        const outer = label(field, bytes, start, fieldStart, tag);
        return { path: inner.path === '' ? outer : `${outer}.${inner.path}`, problem: inner.problem };
      }
    }
  }
  return undefined;
}

/** `name`, or `name[i]` for the i-th occurrence of a repeated field (counted again: only problems need it). */
function label(field: StringField | MessageField, bytes: Uint8Array, start: number, fieldStart: number, tag: number): string {
  if (!field.repeated) return field.name;
  let index = 0;
  for (let pos = start; pos >= 0 && pos < fieldStart; ) {
    pos = readVarint(bytes, pos, fieldStart);
    const seen = varint;
    if (seen === tag) index++;
    if ((seen & 7) === 2) {
      pos = readVarint(bytes, pos, fieldStart);
      if (pos >= 0) pos += varint;
    } else {
      pos = skip(bytes, pos, fieldStart, seen & 7, seen >>> 3);
    }
  }
  return `${field.name}[${index}]`;
}

/**
 * Node's native validator costs a fixed ~60 ns (mostly the subarray), a loop
 * here ~1 ns a byte: short ASCII strings (ids, SKUs) are checked here.
 */
function isUtf8Text(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start > 32) return isUtf8(bytes.subarray(start, end));
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) return isUtf8(bytes.subarray(start, end));
  }
  return true;
}

/** The value of the varint readVarint read last (a module variable, so reading one allocates nothing). */
let varint = 0;

/** Reads a varint of at most 32 bits (tags, lengths) into `varint`; returns the position after it, or -1. */
function readVarint(bytes: Uint8Array, pos: number, end: number): number {
  varint = 0;
  for (let shift = 0; shift < 35 && pos < end; shift += 7) {
    const byte = bytes[pos++]!;
    varint += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return pos;
  }
  return -1;
}

/** The position after a field of a wire type other than length-delimited, or -1 if malformed. */
function skip(bytes: Uint8Array, pos: number, end: number, wireType: number, fieldNumber: number): number {
  switch (wireType) {
    case 0:
      while (pos < end) if (bytes[pos++]! < 0x80) return pos;
      return -1;
    case 1:
      return pos + 8 <= end ? pos + 8 : -1;
    case 5:
      return pos + 4 <= end ? pos + 4 : -1;
    case 3:
      // A group: skip its fields up to the end-group tag of the same field number.
      while (pos >= 0 && pos < end) {
        pos = readVarint(bytes, pos, end);
        if (pos < 0) return -1;
        const tag = varint;
        if ((tag & 7) === 4) return tag >>> 3 === fieldNumber ? pos : -1;
        if ((tag & 7) === 2) {
          pos = readVarint(bytes, pos, end);
          pos = pos < 0 ? -1 : pos + varint;
        } else {
          pos = skip(bytes, pos, end, tag & 7, tag >>> 3);
        }
      }
      return -1;
    default:
      return -1;
  }
}

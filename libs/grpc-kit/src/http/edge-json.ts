import { ScalarType, type DescEnum, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import { reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect';
import type { Timestamp } from '@bufbuild/protobuf/wkt';

// The REST edge's JSON: the proto3 JSON mapping (camelCase names, int64 as
// decimal strings, Timestamp as RFC 3339), with four conventions that make
// it read better to people, applied to every message alike:
// - every field is present, defaults included;
// - enum values by the name without the enum's prefix (`CREATED` for
//   ORDER_STATUS_CREATED), as the generated TypeScript names them;
// - times in UTC with millisecond precision (`2026-01-31T12:00:00.000Z`);
// - an empty `next_page_token` (AIP-158: the last page) is null.

/** The edge's name of an enum value (the number itself for a value this build does not know). */
export const edgeEnumName = (enumType: DescEnum, number: number): string => enumType.value[number]?.localName ?? String(number);

/** Whether the field is null in the edge's JSON when empty. */
export const isNullWhenEmpty = (field: DescField): boolean => field.name === 'next_page_token';

/** `message` as the edge answers it. */
export function toEdgeJson(schema: DescMessage, message: Message): Record<string, unknown> {
  return messageJson(reflect(schema, message));
}

function messageJson(message: ReflectMessage): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const field of message.fields) json[field.jsonName] = fieldJson(field, message);
  return json;
}

function fieldJson(field: DescField, message: ReflectMessage): unknown {
  switch (field.fieldKind) {
    case 'scalar': {
      const value = message.get(field);
      if (isNullWhenEmpty(field) && value === '') return null;
      return scalarJson(field.scalar, value);
    }
    case 'enum':
      return edgeEnumName(field.enum, message.get(field));
    case 'message':
      return message.isSet(field) ? nestedJson(field.message, message.get(field)) : null;
    case 'list': {
      const list = message.get(field);
      const items: unknown[] = [];
      for (const item of list) {
        items.push(field.listKind === 'message' ? nestedJson(field.message, item as ReflectMessage) : field.listKind === 'enum' ? edgeEnumName(field.enum, item as number) : scalarJson(field.scalar, item));
      }
      return items;
    }
    case 'map':
      // A message with a map field cannot reach here: the edge refuses its routes at startup (rest-routes.ts) for requests,
      // and no answer of this system has one.
      throw new Error(`${field.toString()}: maps are not mapped at the edge yet`);
  }
}

function nestedJson(schema: DescMessage, value: ReflectMessage): unknown {
  if (schema.typeName === 'google.protobuf.Timestamp') {
    // Sub-millisecond digits are cut, not rounded: a time never moves forward on its way out.
    const { seconds, nanos } = value.message as Timestamp;
    return new Date(Number(seconds) * 1000 + Math.floor(nanos / 1_000_000)).toISOString();
  }
  return messageJson(value);
}

function scalarJson(scalar: ScalarType, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (scalar === ScalarType.BYTES) return Buffer.from(value as Uint8Array).toString('base64');
  return value;
}

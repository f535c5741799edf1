import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { fieldRules, INT64_MAX, INT64_MIN, isRequiredInRequests, UINT64_MAX } from '@acme/contracts';
import { isNullWhenEmpty } from './edge-json';

// JSON schemas of messages in the edge's JSON mapping (edge-json.ts: the
// proto3 mapping, enums by their unprefixed names), for a REST edge: derived
// from the descriptors, so a field added to the proto is in the edge's schema
// and its OpenAPI document on the next build.

/**
 * - `check`: the shape only (types, fields marked `(google.api.field_behavior)
 *   = REQUIRED` present, unknown fields refused): what the edge
 *   validates JSON with. The field rules are left to protovalidate, run on the
 *   message the JSON becomes, so the edge and the services enforce them with
 *   one library and word them alike.
 * - `document`: the shape plus the rules that JSON Schema can say (lengths,
 *   ranges, item counts, patterns, UUID format, required fields, examples),
 *   for the OpenAPI document.
 */
export type JsonSchemaPurpose = 'check' | 'document';

export interface JsonSchemaOptions {
  readonly purpose: JsonSchemaPurpose;
  /** Proto names of top-level fields the JSON does not carry (sent as a header or path parameter instead). */
  readonly omit?: readonly string[];
  /** In documents: how a nested message is referred to (`#/components/schemas/OrderItem`); inline when undefined. */
  readonly refOf?: (message: DescMessage) => string | undefined;
  /** In documents: a field's description (its proto comment). */
  readonly describe?: (field: DescField) => string | undefined;
}

export type JsonSchema = Record<string, unknown>;

/** `format` of int64 fields in `check` schemas: the edge's JSON-schema validator must know it (see INT64_FORMAT). */
export const INT64_FORMAT_NAME = 'int64-decimal';


/** A decimal int64 string in range; JSON numbers are refused, since they are not exact above 2^53. */
export const INT64_FORMAT = {
  type: 'string',
  validate: (text: string): boolean => /^-?[0-9]{1,19}$/.test(text) && BigInt(text) >= INT64_MIN && BigInt(text) <= INT64_MAX,
} as const;

export const INT64_FORMAT_MESSAGE = `must be an int64 as a decimal string, ${INT64_MIN} to ${INT64_MAX}, e.g. "1999"`;

/** The JSON schema of `message` for `purpose`. */
export function jsonSchemaOf(message: DescMessage, options: JsonSchemaOptions): JsonSchema {
  const omitted = new Set(options.omit ?? []);
  return objectSchema(message, options, omitted);
}

/** The JSON schema of one field's value, e.g. for a path parameter that carries it. */
export const jsonSchemaOfField = (field: DescField, options: JsonSchemaOptions): JsonSchema => fieldSchema(field, options);

function objectSchema(message: DescMessage, options: JsonSchemaOptions, omitted: ReadonlySet<string> = new Set()): JsonSchema {
  const fields = message.fields.filter((field) => !omitted.has(field.name));
  // Presence in the JSON is the shape's (field_behavior); non-empty strings are a rule, documented only.
  const required = fields
    .filter((field) => isRequiredInRequests(field) || (options.purpose === 'document' && fieldRules(field).required))
    .map((field) => field.jsonName);
  return {
    type: 'object',
    additionalProperties: false,
    ...(required.length > 0 ? { required } : {}),
    properties: Object.fromEntries(fields.map((field) => [field.jsonName, fieldSchema(field, options)])),
  };
}

function fieldSchema(field: DescField, options: JsonSchemaOptions): JsonSchema {
  const description = options.purpose === 'document' ? options.describe?.(field) : undefined;
  const schema = fieldShape(field, options);
  if (!description || schema['$ref']) return schema;
  // A rule's words (int64 bounds) follow the comment.
  return { ...schema, description: [description, schema['description']].filter(Boolean).join(' ') };
}

function fieldShape(field: DescField, options: JsonSchemaOptions): JsonSchema {
  const rules = options.purpose === 'document' ? documentedRules(field) : {};
  switch (field.fieldKind) {
    case 'scalar':
      return { ...scalarSchema(field.scalar, options), ...rules.value, ...(isNullWhenEmpty(field) ? { nullable: true } : {}) };
    case 'enum':
      return { type: 'string', enum: field.enum.values.map((value) => value.localName) };
    case 'message':
      return messageSchema(field.message, options);
    case 'list': {
      const item =
        field.listKind === 'scalar'
          ? scalarSchema(field.scalar, options)
          : field.listKind === 'enum'
            ? { type: 'string', enum: field.enum.values.map((value) => value.localName) }
            : messageSchema(field.message, options);
      return { type: 'array', ...rules.list, items: item };
    }
    case 'map':
      return { type: 'object', additionalProperties: field.mapKind === 'message' ? messageSchema(field.message, options) : field.mapKind === 'enum' ? { type: 'string' } : scalarSchema(field.scalar, options) };
  }
}

function messageSchema(message: DescMessage, options: JsonSchemaOptions): JsonSchema {
  if (message.typeName === 'google.protobuf.Timestamp') return { type: 'string', format: 'date-time' };
  const ref = options.purpose === 'document' ? options.refOf?.(message) : undefined;
  return ref ? { $ref: ref } : objectSchema(message, options);
}

function scalarSchema(scalar: ScalarType, options: JsonSchemaOptions): JsonSchema {
  switch (scalar) {
    case ScalarType.STRING:
      return { type: 'string' };
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.BYTES:
      return { type: 'string', format: 'byte' };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return { type: 'number' };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: 'integer', minimum: 0, maximum: 2 ** 32 - 1 };
    default:
      // 64-bit integers: decimal strings.
      return options.purpose === 'check' ? { type: 'string', format: INT64_FORMAT_NAME } : { type: 'string', pattern: scalar === ScalarType.UINT64 || scalar === ScalarType.FIXED64 ? `^[0-9]{1,${String(UINT64_MAX).length}}$` : '^-?[0-9]{1,19}$' };
  }
}

/** The rules of a field that JSON Schema can state, for documents. */
function documentedRules(field: DescField): { value?: JsonSchema; list?: JsonSchema } {
  const rules = fieldRules(field).type;
  const value: JsonSchema = {};
  const list: JsonSchema = {};
  switch (rules.case) {
    case 'string': {
      const r = rules.value;
      if (r.minLen) value['minLength'] = Number(r.minLen);
      else if (fieldRules(field).required) value['minLength'] = 1;
      if (r.maxLen) value['maxLength'] = Number(r.maxLen);
      if (r.pattern) value['pattern'] = r.pattern;
      if (r.wellKnown.case === 'uuid') value['format'] = 'uuid';
      if (r.example.length > 0) value['example'] = r.example[0];
      break;
    }
    case 'int32':
    case 'int64': {
      const { greaterThan, lessThan } = rules.value;
      const asJson = (n: number | bigint) => (typeof n === 'bigint' ? String(n) : n);
      // int64 travels as text: its bounds are documented in words rather than as JSON numbers.
      if (rules.case === 'int32') {
        if (greaterThan.case === 'gte') value['minimum'] = greaterThan.value;
        if (greaterThan.case === 'gt') value['exclusiveMinimum'] = greaterThan.value;
        if (lessThan.case === 'lte') value['maximum'] = lessThan.value;
        if (lessThan.case === 'lt') value['exclusiveMaximum'] = lessThan.value;
      } else {
        const bounds = [greaterThan.case && `${greaterThan.case === 'gte' ? '>=' : '>'} ${asJson(greaterThan.value)}`, lessThan.case && `${lessThan.case === 'lte' ? '<=' : '<'} ${asJson(lessThan.value)}`].filter(Boolean);
        if (bounds.length > 0) value['description'] = `int64 as a decimal string, ${bounds.join(' and ')}`;
      }
      const [example] = rules.value.example;
      if (example !== undefined) value['example'] = asJson(example);
      break;
    }
    case 'repeated': {
      const r = rules.value;
      if (r.minItems) list['minItems'] = Number(r.minItems);
      if (r.maxItems) list['maxItems'] = Number(r.maxItems);
      break;
    }
  }
  return { value, list };
}

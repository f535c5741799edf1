import { isUtf8 } from 'node:buffer';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { decodeUtf8KeepingInvalidBytes, escapedBytes, findIllFormedText, loneSurrogatesIn, percentDecode } from './unicode';
import { EdgeValidationError, fieldName, fieldPath, type RequestPart } from './validation-error';

// Every route refuses request text that is not well-formed Unicode (see
// unicode.ts for why and how), naming the field: the body's bytes in the JSON
// parser, then body, query and path parameters in one preValidation hook, so
// a new route is covered without doing anything.

const hex = (byte: number) => byte.toString(16).toUpperCase().padStart(2, '0');

/** What to fix, by where the fault came from. */
const REASONS = {
  bodyBytes: (units: number[]) => `contains bytes that are not UTF-8 (${escapedBytes(units).map((b) => `0x${hex(b)}`).join(' ')}); send JSON encoded as UTF-8`,
  percentEscapes: (units: number[]) =>
    `contains ${escapedBytes(units).map((b) => `%${hex(b)}`).join('')}, which is not UTF-8; percent-encode the UTF-8 bytes of each character (é is %C3%A9)`,
  surrogates: (units: number[]) =>
    `contains ${units.map((u) => `\\u${u.toString(16)}`).join('')}, half of a surrogate pair without the other half; ` +
    'an escape \\ud800 to \\udbff must be followed by one \\udc00 to \\udfff',
  lonePercent: 'contains a % that starts no %XX escape; a literal % is %25',
} as const;

/** The same words where the edge checks text itself (each line of an NDJSON body). */
export { REASONS as WELL_FORMED_REASONS };

/** Fastify's JSON parser, keeping its prototype-poisoning protection, behind a UTF-8 check of the raw bytes. */
export function installWellFormedInput(fastify: FastifyInstance): void {
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning);
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    if (isUtf8(body)) parseJson(request, body.toString('utf8'), done);
    else done(notUtf8Body(body), undefined);
  });
  fastify.addHook('preValidation', async (request) => {
    // A lone surrogate in the body came from a \u escape (the bytes were UTF-8); in
    // the query or path from an escape whose bytes are not UTF-8.
    const refusal =
      illFormed(request.body, 'body', REASONS.surrogates) ??
      illFormed(request.query, 'querystring', REASONS.percentEscapes) ??
      illFormed(request.params, 'params', REASONS.percentEscapes);
    if (refusal) throw refusal;
  });
}

/**
 * For Fastify's frameworkErrors: find-my-way refuses a path whose escapes
 * are not UTF-8 before routing (decodeURI throws), which Fastify would answer
 * with a bare JSON 400. This names the path parameter instead; any other
 * framework error is returned as it is.
 */
export function refusalOfFrameworkError(error: FastifyError, request: FastifyRequest): Error {
  return error.code === 'FST_ERR_BAD_URL' ? badPath(request) : error;
}

function illFormed(value: unknown, part: RequestPart, reason: (units: number[]) => string): EdgeValidationError | undefined {
  const found = findIllFormedText(value);
  if (!found) return undefined;
  const because = reason(loneSurrogatesIn(found.text));
  return new EdgeValidationError(fieldName(fieldPath(found.instancePath), part), found.inName ? `has a field name that ${because}` : because);
}

/** Names the field whose bytes are not UTF-8 when the rest parses as JSON; otherwise the body. */
function notUtf8Body(body: Buffer): EdgeValidationError {
  const text = decodeUtf8KeepingInvalidBytes(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return new EdgeValidationError('body', REASONS.bodyBytes(loneSurrogatesIn(text)));
  }
  // A \u escape right before an invalid byte can pair with it; then only the text shows the byte.
  return illFormed(parsed, 'body', REASONS.bodyBytes) ?? new EdgeValidationError('body', REASONS.bodyBytes(loneSurrogatesIn(text)));
}

/** The route parameter filled by the first segment that does not decode, found by routing with placeholders; else `path`. */
function badPath(request: FastifyRequest): EdgeValidationError {
  const segments = (request.url.split('?')[0] ?? '').split('/');
  const placeholders = new Map<string, string>();
  const routable = segments.map((segment, i) => {
    if (decodes(segment)) return segment;
    // A control character cannot reach here in a real URL, so it names this segment alone.
    const placeholder = `\u0000${i}`;
    placeholders.set(placeholder, segment);
    return placeholder;
  });
  const [placeholder, segment] = [...placeholders][0] ?? [];
  const units = loneSurrogatesIn(percentDecode(segment ?? ''));
  const reason = units.length > 0 ? REASONS.percentEscapes(units) : REASONS.lonePercent;
  const params = (request.server.findRoute({ method: request.method, url: routable.join('/') })?.params ?? {}) as Record<string, string>;
  const name = Object.keys(params).find((key) => params[key] === placeholder);
  return new EdgeValidationError(name ?? 'path', reason);
}

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

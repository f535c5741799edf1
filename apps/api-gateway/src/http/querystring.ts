import { percentDecode } from './unicode';

/**
 * Fastify's querystringParser. It parses as Fastify's default
 * (fast-querystring) does: `&`-separated pairs, `+` is a space, a repeated
 * name gives an array, no prototype to pollute. The difference: an escape
 * whose bytes are not UTF-8 (`%E9`, `%ED%A0%80`) is decoded to lone
 * surrogates that the well-formed-text check refuses, where fast-querystring
 * would pass the whole value on undecoded ("%E9", which then reads like the
 * valid "%25E9").
 */
export function parseQuerystring(query: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = Object.create(null);
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeComponent(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decodeComponent(pair.slice(equals + 1));
    const earlier = result[name];
    if (earlier === undefined) result[name] = value;
    else if (Array.isArray(earlier)) earlier.push(value);
    else result[name] = [earlier, value];
  }
  return result;
}

const decodeComponent = (text: string) => percentDecode(text.replace(/\+/g, ' '));

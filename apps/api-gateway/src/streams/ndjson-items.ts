import { isUtf8 } from 'node:buffer';
import { create, type DescMessage, fromJson, type JsonValue, type Message } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import type { ValidateFunction } from 'ajv';
import { jsonSchemaOf, statusName } from '@acme/grpc-kit';
import { compileEdgeSchema } from '../http/edge-ajv';
import { findIllFormedText, loneSurrogatesIn } from '../http/unicode';
import { schemaErrorToValidationError } from '../http/validation-error';
import { WELL_FORMED_REASONS } from '../http/well-formed-input';
import type { RestRoute } from '../rest/rest-routes';
import type { NdjsonLine } from './ndjson-lines';

/**
 * Longest line of an NDJSON body, in bytes (its line break excluded). The
 * longest valid CreateUser line is about 7 KiB (every character of its three
 * strings written as a \u escape pair); 16 KiB leaves room for whitespace
 * while a client that never sends a line break costs the gateway 16 KiB.
 */
export const NDJSON_MAX_LINE_BYTES = 16 * 1024;

/** What a line is: the request it carries, why it carries none (reported by its index), or nothing at all (blank). */
export type LineItem = { readonly request: Message } | { readonly refused: string } | { readonly blank: true };

/**
 * Turns each line of a client-stream route into its request: the line is
 * the JSON of the route's line field (a CreateUserRequest for
 * `body: "user"`), checked as the unary route's body would be (UTF-8,
 * well-formed text, the JSON schema's shape), with the same words; what the
 * field rules say is for the service to report, item by item.
 */
export function lineItems(route: RestRoute): (line: NdjsonLine) => LineItem {
  const field = route.lineField;
  if (!field?.message) throw new Error(`${route.method.toString()}: not a client-stream route`);
  const message: DescMessage = field.message;
  const check: ValidateFunction = compileEdgeSchema(jsonSchemaOf(message, { purpose: 'check' }));
  return (line) => {
    if ('tooLong' in line) return { refused: `line: is longer than ${NDJSON_MAX_LINE_BYTES} bytes; send one ${message.name} per line` };
    const { bytes } = line;
    if (!isUtf8(bytes)) return { refused: 'line: contains bytes that are not UTF-8; send JSON encoded as UTF-8' };
    const text = bytes.toString('utf8');
    if (text.trim() === '') return { blank: true };
    let json: JsonValue;
    try {
      json = JSON.parse(text) as JsonValue;
    } catch (error) {
      return { refused: `line: is not JSON (${(error as Error).message})` };
    }
    if (!check(json)) {
      const refusal = schemaErrorToValidationError(check.errors as never, 'body');
      return { refused: refusal.message.replace(/^body:/, 'line:') };
    }
    const illFormed = findIllFormedText(json);
    if (illFormed) return { refused: `${illFormed.instancePath.slice(1).replace(/\//g, '.') || 'line'}: ${WELL_FORMED_REASONS.surrogates(loneSurrogatesIn(illFormed.text))}` };
    try {
      return { request: create(route.method.input, { [field.localName]: fromJson(message, json) }) };
    } catch (error) {
      return { refused: `line: is not a valid ${message.name} (${(error as Error).message})` };
    }
  };
}

/** One entry of a client-stream answer's failure list. */
export interface ItemFailure {
  readonly index: bigint;
  readonly code: string;
  readonly message: string;
}

export const refusedLine = (index: number, reason: string): ItemFailure => ({ index: BigInt(index), code: statusName(status.INVALID_ARGUMENT), message: reason });

/**
 * The lines the edge did not send on (refused or blank), in order, so the
 * service's item numbers become line numbers: item i is the i-th line sent.
 * Holds an index per line not sent, never a line.
 */
export class LineNumbers {
  private readonly notSent: number[] = [];

  skip(lineIndex: number): void {
    this.notSent.push(lineIndex);
  }

  /**
   * The service's failures (ascending item numbers) by line, merged in line
   * order with the edge's own (ascending line numbers).
   */
  merge(serviceFailures: readonly ItemFailure[], edgeFailures: readonly ItemFailure[]): ItemFailure[] {
    let skipped = 0;
    const byLine = serviceFailures.map((failure) => {
      // Line of item i: i plus the lines not sent before it.
      let line = Number(failure.index) + skipped;
      while (skipped < this.notSent.length && (this.notSent[skipped] ?? Infinity) <= line) {
        skipped++;
        line++;
      }
      // Plain fields, not a copy of the message (protobuf-es would take a spread message for one of its own).
      return { index: BigInt(line), code: failure.code, message: failure.message };
    });
    const merged: ItemFailure[] = [];
    let a = 0;
    let b = 0;
    for (;;) {
      const [service, edge] = [byLine[a], edgeFailures[b]];
      if (service && (!edge || service.index < edge.index)) {
        merged.push(service);
        a++;
      } else if (edge) {
        merged.push(edge);
        b++;
      } else {
        return merged;
      }
    }
  }
}

import { Readable } from 'node:stream';
import { clone, create, type Message } from '@bufbuild/protobuf';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StreamCapacityReached, toEdgeJson } from '@acme/grpc-kit';
import { GatewayOverloaded } from '../http/abuse-limits';
import { EdgeValidationError } from '../http/validation-error';
import type { RestRoute } from '../rest/rest-routes';
import { type ItemFailure, lineItems, LineNumbers, NDJSON_MAX_LINE_BYTES, refusedLine } from './ndjson-items';
import { ndjsonLines } from './ndjson-lines';
import { streamedBodyOf } from './streamed-body';

/** Calls the route's client stream with the requests as they come (the upstream client's method). */
export type ClientStreamCall = (requests: AsyncIterable<Message>) => Promise<Message>;


/**
 * A client-streaming RPC fed from an NDJSON body: each line becomes one
 * request as it arrives and is written to the upstream under its flow
 * control, so the body is read no faster than the service takes it and the
 * gateway holds a few lines, never the body (reading pauses, TCP holds the
 * client). A line the edge cannot read as a request (not JSON, not the
 * shape, longer than NDJSON_MAX_LINE_BYTES) is not sent but reported in the
 * answer's failure list by its line index, next to the service's own
 * reports, which are renumbered from item to line; blank lines are skipped.
 * Without a failure list in the answer, such a line refuses the whole
 * stream (400 naming the line). The answer, once the service gave it, is
 * the edge JSON of its response, 200.
 */
@Injectable()
export class NdjsonRelay {
  private readonly itemsOf = new Map<RestRoute, ReturnType<typeof lineItems>>();

  async relay(route: RestRoute, call: ClientStreamCall, http: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const itemOf = this.itemsOf.get(route) ?? lineItems(route);
    this.itemsOf.set(route, itemOf);
    const numbers = new LineNumbers();
    const refused: ItemFailure[] = [];
    const body: AsyncIterable<Buffer> = (streamedBodyOf(http) as (Readable & AsyncIterable<Buffer>) | undefined) ?? Readable.from([]); // no body at all: no lines
    let finished = false;
    async function* requests(): AsyncGenerator<Message> {
      for await (const line of ndjsonLines(body, NDJSON_MAX_LINE_BYTES)) {
        const item = itemOf(line);
        if ('request' in item) {
          yield item.request;
          continue;
        }
        numbers.skip(line.index);
        if ('refused' in item) {
          if (!route.failureList) throw new EdgeValidationError(`line ${line.index}`, item.refused);
          refused.push(refusedLine(line.index, item.refused));
        }
      }
      finished = true;
    }
    let answer: Message;
    try {
      answer = await call(requests());
    } catch (error) {
      // Answered before the whole body was read: close the connection rather than read the rest.
      if (!finished) void reply.header('connection', 'close');
      if (error instanceof StreamCapacityReached) {
        throw new GatewayOverloaded(`this gateway already runs its ${error.maxOpen} ${route.method.name} streams; retry after the Retry-After delay`);
      }
      throw error;
    }
    if (!finished) void reply.header('connection', 'close');
    const list = route.failureList;
    if (list?.message) {
      const fields = clone(route.method.output, answer) as unknown as Record<string, unknown>;
      const failureSchema = list.message;
      fields[list.localName] = numbers.merge((fields[list.localName] as ItemFailure[] | undefined) ?? [], refused).map((f) => create(failureSchema, f as never));
      answer = fields as unknown as Message;
    }
    return toEdgeJson(route.method.output, answer);
  }
}

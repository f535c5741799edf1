import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import {
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
  grpcStatusOf,
  httpFailureForGrpcError,
  problemDetails,
  statusName,
  truncate,
} from '@acme/grpc-kit';
import { UpstreamFailure } from '../upstreams/upstream-failure';
import { GatewayOverloaded } from './abuse-limits';
import { EdgeAuthRefusal, IssuerUnavailable } from '../auth/edge-auth';
import { EdgeValidationError } from './validation-error';
import { bodyMediaTypeOf } from '../streams/streamed-body';

/**
 * The one place where anything that goes wrong while handling a request
 * becomes an HTTP answer: an RFC 9457 problem document carrying the request
 * id. Upstream gRPC statuses are mapped by httpFailureForGrpcError (grpc-kit);
 * errors Fastify raises before a handler runs (malformed JSON, body too
 * large, unsupported media type, schema violations, unknown route) keep their
 * 4xx status; anything unforeseen is a 500 that shows nothing internal and is
 * logged with its stack.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly rootLogger: () => Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.answer(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** Also called directly where Fastify answers outside Nest (frameworkErrors). */
  answer(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const { problem, retryAfterSeconds } = this.problemOf(exception, request);
    if (exception instanceof EdgeAuthRefusal) void reply.header('www-authenticate', exception.challenge);
    if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
    void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  /**
   * The problem document for `exception` (logged as its answer would be),
   * also for an answer already under way: a stream of events ends with it.
   */
  problemOf(exception: unknown, request: FastifyRequest): { readonly problem: ProblemDetails; readonly retryAfterSeconds?: number } {
    const log = this.rootLogger();
    // Also outside the call context (a refusal before the handler): the request id given, not only mixed in.
    const facts = { requestId: request.id };
    const extensions = { instance: request.url.split('?')[0], requestId: request.id };

    let problem: ProblemDetails;
    let retryAfterSeconds: number | undefined;
    if (exception instanceof EdgeAuthRefusal) {
      problem = problemDetails(exception.statusCode, exception.message, extensions);
    } else if (exception instanceof EdgeValidationError) {
      problem = problemDetails(400, exception.message, { ...extensions, invalidParams: [{ name: exception.field, reason: exception.reason }] });
    } else if (exception instanceof GatewayOverloaded) {
      problem = problemDetails(503, exception.message, extensions);
      retryAfterSeconds = exception.retryAfterSeconds;
    } else if (exception instanceof IssuerUnavailable) {
      problem = problemDetails(503, 'the access token cannot be verified now (the identity provider is unreachable); retry after the Retry-After delay', extensions);
      retryAfterSeconds = exception.retryAfterSeconds;
      log.warn(facts, exception.message);
    } else if (exception instanceof UpstreamFailure) {
      const failure = httpFailureForGrpcError(exception.cause, exception.upstream);
      problem = problemDetails(failure.status, failure.detail, extensions);
      retryAfterSeconds = failure.retryAfterSeconds;
      const code = grpcStatusOf(exception.cause);
      const upstreamFacts = { upstream: exception.upstream, method: exception.method, code: code === undefined ? undefined : statusName(code) };
      if (failure.unexpected) log.error({ ...facts, ...upstreamFacts, err: exception.cause }, `${exception.message}, answered ${failure.status}`);
      else if (failure.status >= 500) log.warn({ ...facts, ...upstreamFacts, details: (exception.cause as { details?: string }).details }, exception.message);
    } else {
      const status = clientErrorStatus(exception);
      if (status !== undefined) {
        problem = problemDetails(status, clientErrorDetail(exception, status, request), extensions);
      } else {
        problem = problemDetails(500, 'internal error; the request id identifies it in the logs', extensions);
        log.error({ ...facts, err: exception }, `unhandled error in ${request.method} ${request.url}`);
      }
    }

    return retryAfterSeconds === undefined ? { problem } : { problem, retryAfterSeconds };
  }
}

/** The 4xx status of an error raised by Nest or Fastify for a bad request; undefined for anything else. */
function clientErrorStatus(exception: unknown): number | undefined {
  const status =
    exception instanceof HttpException ? exception.getStatus() : (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function clientErrorDetail(exception: unknown, status: number, request: FastifyRequest): string {
  const message = exception instanceof Error ? exception.message : '';
  if (status === 415) return `the body must be ${bodyMediaTypeOf(request)}, not ${asciiQuoted(truncate(String(request.headers['content-type'])))}`;
  if (status === 404 && exception instanceof HttpException) return `${message.replace(/^Cannot /, 'there is no route ')}; see /docs`;
  return message || `request refused with status ${status}`;
}

/**
 * A header value quoted in a detail. Node reads header bytes as latin1, so
 * each character is one byte the client sent; outside printable ASCII it is
 * shown as \xNN, since written as UTF-8 it would read as another character.
 * (Only characters up to \xFF come from a header: truncate's … stays.)
 */
const asciiQuoted = (value: string) =>
  value.replace(/[^ -~]/g, (c) => (c.charCodeAt(0) > 0xff ? c : `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`));

import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '@acme/grpc-kit';

/** OpenAPI schema of the RFC 9457 body every error carries. */
export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', description: 'Always about:blank: the status code says what kind of problem this is.', example: 'about:blank' },
    title: { type: 'string', description: 'The reason phrase of the status.', example: 'Not Found' },
    status: { type: 'integer', example: 404 },
    detail: { type: 'string', description: 'What went wrong, for a person.', example: 'user 0194f5c2-7d1e-7c3a-9a51-3f1e2d4c5b6a not found' },
    instance: { type: 'string', description: 'The path of the request.', example: '/users/0194f5c2-7d1e-7c3a-9a51-3f1e2d4c5b6a' },
    requestId: { type: 'string', description: 'Quote it when reporting the problem: every log line of the request carries it.' },
    invalidParams: {
      type: 'array',
      description: 'Only on 400 answers from input validation: the field at fault.',
      items: {
        type: 'object',
        properties: { name: { type: 'string', example: 'items[0].quantity' }, reason: { type: 'string', example: 'must be at most 10000' } },
      },
    },
  },
} as const;

const WHEN: Record<number, string> = {
  400:
    'The request is malformed: invalid JSON, a missing or mistyped field (named in detail), text that is not well-formed Unicode, ' +
    'or a value the service rejects.',
  404: 'No such resource.',
  409: 'Conflicts with an existing resource.',
  413: 'The body is larger than 1 MiB.',
  415: 'The body is not application/json.',
  422: 'Well formed, but the current state does not allow it (see detail).',
  503: 'An upstream service is unavailable; retry after the Retry-After seconds.',
  504: 'An upstream service did not answer within its deadline.',
};

/** Documents the problem answers a route can give (400, 503 and 504 are possible on every route that calls a service). */
export function ApiProblems(...statuses: number[]): MethodDecorator {
  return applyDecorators(
    ...[...new Set([...statuses, 503, 504])].map((status) =>
      ApiResponse({
        status,
        description: WHEN[status] ?? 'See detail.',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
        ...(status === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } } } : {}),
      }),
    ),
  );
}

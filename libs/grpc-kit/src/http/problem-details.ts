import { STATUS_CODES } from 'node:http';

/** Media type of an RFC 9457 problem document. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * An RFC 9457 problem document. `type` stays `about:blank` (the HTTP status
 * says what kind of problem it is, and `title` is its reason phrase); `detail`
 * is written for the person reading it; `requestId` lets them quote the
 * failing request to whoever reads the logs.
 */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly requestId?: string;
  readonly [extension: string]: unknown;
}

export function problemDetails(
  status: number,
  detail: string,
  extensions: { instance?: string; requestId?: string; [extension: string]: unknown } = {},
): ProblemDetails {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, ...extensions };
}

import { type ErrorClassifier, UnavailableError } from '@acme/grpc-kit';

interface PgLikeError {
  code?: unknown;
  message?: unknown;
}

const asPg = (error: unknown): PgLikeError | undefined =>
  typeof error === 'object' && error !== null ? (error as PgLikeError) : undefined;

// SQLSTATE classes and codes meaning "the database cannot serve us right now".
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53400', '40001', '40P01']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /the database system is (starting up|shutting down)/i,
];

/** True when an error means the database is unreachable or refusing work, not that the query is wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const pg = asPg(error);
  if (!pg) return false;
  if (typeof pg.code === 'string' && (UNAVAILABLE_SQLSTATES.has(pg.code) || pg.code.startsWith('08'))) return true;
  if (typeof pg.code === 'string' && UNAVAILABLE_NODE_CODES.has(pg.code)) return true;
  const message = typeof pg.message === 'string' ? pg.message : '';
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}

/** For bootstrapGrpcService: database outages reach callers as UNAVAILABLE (retryable), not INTERNAL. */
export const classifyDatabaseError: ErrorClassifier = (error) =>
  isDatabaseUnavailable(error) ? new UnavailableError('database unavailable, retry later') : undefined;

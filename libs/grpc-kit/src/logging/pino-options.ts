import type { Options } from 'pino-http';
import { currentCallContext } from '../context/call-context';

// A fresh object each time: pino merges the log call's fields into it.
function callContextMixin(): object {
  const context = currentCallContext();
  return context ? { requestId: context.requestId } : {};
}

/**
 * One log format for every process: JSON lines with `service` and, inside a
 * request, `requestId`. `pretty` gives human-readable local output (needs the
 * pino-pretty dev dependency).
 */
export type LogFormat = 'json' | 'pretty';

export function pinoOptions(
  service: string,
  level: string,
  format: LogFormat = 'json',
  { requestIdFromCallContext = false } = {},
): Options {
  return {
    level,
    base: { service },
    // gRPC services: each line logged while a call is handled gets the call's
    // request id from the call context, with no per-call child logger or
    // second async store (pino runs the mixin only for lines actually written).
    ...(requestIdFromCallContext ? { mixin: callContextMixin } : {}),
    messageKey: 'msg',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    ...(format === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'HH:MM:ss.l' } } }
      : {}),
  };
}

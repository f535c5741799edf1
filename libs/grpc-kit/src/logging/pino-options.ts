import type { Options } from 'pino-http';

/**
 * One log format for every process: JSON lines with `service` and, inside a
 * request, `requestId`. `pretty` gives human-readable local output (needs the
 * pino-pretty dev dependency).
 */
export type LogFormat = 'json' | 'pretty';

export function pinoOptions(service: string, level: string, format: LogFormat = 'json'): Options {
  return {
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    ...(format === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'HH:MM:ss.l' } } }
      : {}),
  };
}

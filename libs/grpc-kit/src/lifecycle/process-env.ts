import { z } from 'zod';
import { intVar, logLevelVar, millisVar } from '@acme/config';
import { DEFAULT_HEAP_GROWING_PERCENT } from './heap-policy';
import type { LogFormat } from '../logging/pino-options';

/**
 * Environment variables every process understands, gRPC service or HTTP
 * gateway (spread into the app's own schema): how it logs, how it shuts
 * down on SIGTERM, and how far its heap grows between full GCs.
 */
export const processEnv = () => ({
  LOG_LEVEL: logLevelVar('info'),
  LOG_FORMAT: z
    .enum(['json', 'pretty'])
    .optional()
    .transform((v): LogFormat => v ?? 'json'),
  /** After SIGTERM, how long readiness reports "not ready" while requests are still served (lets load balancers notice). */
  SHUTDOWN_DRAIN_DELAY_MS: millisVar(0, 0, 60_000),
  /** How long in-flight requests may run once the server stops accepting new ones. */
  SHUTDOWN_GRACE_MS: millisVar(10_000, 0, 120_000),
  /** V8's old-generation growth past the live heap between full GCs, in percent (0: V8's own factor); see heap-policy.ts. */
  HEAP_GROWING_PERCENT: intVar(DEFAULT_HEAP_GROWING_PERCENT, 0, 1_000),
});

/** Resolves after `ms` milliseconds (the drain delay of a graceful shutdown). */
export const delay = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

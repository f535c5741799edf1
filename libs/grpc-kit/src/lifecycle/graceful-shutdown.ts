import type { LoggerService } from '@nestjs/common';
import { delay } from './process-env';
import { shutdownOnSignals } from './shutdown-on-signals';

export interface GracefulShutdownSteps {
  readonly logger: Pick<LoggerService, 'log' | 'error'>;
  /** What the first line logs after the reason, e.g. "reporting NOT_SERVING, draining calls". */
  readonly announce: string;
  /** Report not ready (gRPC health NOT_SERVING, /readyz 503) so load balancers stop sending new work. */
  markNotReady(): void;
  /** How long work is still served after markNotReady, so load balancers notice. */
  readonly drainDelayMs: number;
  /** Stop accepting work, let in-flight work finish (bounded by the grace period), close the app. */
  stop(): Promise<void>;
  /** Exit after a signal-triggered shutdown (off when tests run the process in-process). */
  readonly exitOnSignal: boolean;
}

/**
 * The graceful shutdown every process runs, on SIGTERM/SIGINT or when called:
 * not ready, drain delay, stop. It runs once; later calls get the same promise.
 */
export function gracefulShutdown(steps: GracefulShutdownSteps): (reason?: string) => Promise<void> {
  let running: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown requested'): Promise<void> =>
    (running ??= (async () => {
      steps.logger.log(`${reason}: ${steps.announce}`);
      steps.markNotReady();
      if (steps.drainDelayMs > 0) await delay(steps.drainDelayMs);
      await steps.stop();
      steps.logger.log('shutdown complete');
    })());
  shutdownOnSignals(shutdown, steps.logger, steps.exitOnSignal);
  return shutdown;
}

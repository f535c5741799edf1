import type { LoggerService } from '@nestjs/common';
import { shutdownTelemetry } from '@acme/telemetry';

/**
 * Runs `shutdown` on the first SIGTERM or SIGINT (SIGTERM: orchestrators,
 * SIGINT: Ctrl-C), exports the spans still buffered (the shutdown's own
 * included), then exits 0, or 1 if shutting down failed. `exit: false` keeps
 * the process alive, for services run in-process by tests.
 */
export function shutdownOnSignals(
  shutdown: (reason: string) => Promise<void>,
  logger: Pick<LoggerService, 'error'>,
  exit = true,
): void {
  const onSignal = (signal: NodeJS.Signals) => {
    shutdown(`${signal} received`)
      .then(
        () => 0,
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          return 1;
        },
      )
      .then(async (code) => {
        await shutdownTelemetry().catch((error: unknown) => logger.error({ err: error }, 'exporting the last spans failed'));
        if (exit) process.exit(code);
      });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

import type { LoggerService } from '@nestjs/common';

/**
 * Runs `shutdown` on the first SIGTERM or SIGINT (SIGTERM: orchestrators,
 * SIGINT: Ctrl-C), then exits 0, or 1 if shutting down failed. `exit: false`
 * keeps the process alive, for services run in-process by tests.
 */
export function shutdownOnSignals(
  shutdown: (reason: string) => Promise<void>,
  logger: Pick<LoggerService, 'error'>,
  exit = true,
): void {
  const onSignal = (signal: NodeJS.Signals) => {
    shutdown(`${signal} received`).then(
      () => exit && process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        if (exit) process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

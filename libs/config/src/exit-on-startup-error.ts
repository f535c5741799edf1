import { ConfigError } from './load-config';

/**
 * Ends the process when a service cannot start, with a message a person can
 * act on: configuration problems name their variables, without a stack trace.
 */
export const exitOnStartupError =
  (processName: string) =>
  (error: unknown): never => {
    if (error instanceof ConfigError) {
      console.error(`${processName}: ${error.message}`);
      process.exit(78); // EX_CONFIG
    }
    console.error(`${processName}: failed to start:`, error);
    process.exit(1);
  };

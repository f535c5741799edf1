import { z } from 'zod';
import { grpcServerEnv } from '@acme/grpc-kit';
import { messagingEnv } from '@acme/messaging';
import { databaseEnv } from '@acme/persistence';

// How long a service's graceful shutdown may take, from the environment it is
// given, with the services' own defaults (read from their schemas) for what
// is unset. On SIGTERM a service reports NOT_SERVING for the drain delay,
// gives in-flight calls the grace period, then stops its outbox relay (the
// batch in flight waits for the broker's confirm, then one statement marks it
// sent) and its consumer (the event in progress commits), then exits.

const schema = z.object({
  SHUTDOWN_DRAIN_DELAY_MS: grpcServerEnv(0).SHUTDOWN_DRAIN_DELAY_MS,
  SHUTDOWN_GRACE_MS: grpcServerEnv(0).SHUTDOWN_GRACE_MS,
  AMQP_CONFIRM_TIMEOUT_MS: messagingEnv().AMQP_CONFIRM_TIMEOUT_MS,
  DATABASE_STATEMENT_TIMEOUT_MS: databaseEnv('any').DATABASE_STATEMENT_TIMEOUT_MS,
});

export interface ShutdownBudget {
  readonly ms: number;
  /** "SHUTDOWN_GRACE_MS 15 s", ... : what adds up to `ms`. */
  readonly terms: readonly string[];
}

/**
 * The budget for a service with `env`. `publishesEvents`: it runs with a
 * broker (AMQP_URL set), so its relay and consumer stop after the gRPC server.
 */
export function shutdownBudget(env: Record<string, string | undefined>, publishesEvents: boolean): ShutdownBudget {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`unusable shutdown settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const keys: (keyof typeof parsed.data)[] = ['SHUTDOWN_DRAIN_DELAY_MS', 'SHUTDOWN_GRACE_MS'];
  if (publishesEvents) keys.push('AMQP_CONFIRM_TIMEOUT_MS', 'DATABASE_STATEMENT_TIMEOUT_MS');
  return {
    ms: keys.reduce((sum, key) => sum + parsed.data[key], 0),
    terms: keys.map((key) => `${key} ${parsed.data[key] / 1000} s`),
  };
}

/** "45 s ... does not exceed ..." when `allowedMs` leaves no margin over the budget; undefined when it does. */
export function budgetProblem(allowedMs: number, budget: ShutdownBudget, allowance: string): string | undefined {
  if (allowedMs > budget.ms) return undefined;
  return `${allowance} ${allowedMs / 1000} s does not exceed the shutdown budget of ${budget.ms / 1000} s (${budget.terms.join(' + ')})`;
}

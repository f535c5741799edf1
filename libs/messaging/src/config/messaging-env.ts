import { z } from 'zod';
import { intVar, millisVar } from '@acme/config';

const AMQP_URL_HINT = 'expected an amqp:// or amqps:// URL, e.g. amqp://user:password@rabbitmq:5672/vhost';

/**
 * The broker URL. Optional: unset (or empty, as compose interpolation yields)
 * means "no broker", and the service keeps its events in the outbox.
 */
export const amqpUrlVar = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine(
      (v) => {
        if (v === undefined) return true;
        try {
          return ['amqp:', 'amqps:'].includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: AMQP_URL_HINT },
    );

/** Environment variables of a service that publishes events through an outbox (merge into the app's schema). */
export const messagingEnv = () => ({
  AMQP_URL: amqpUrlVar(),
  /** The topic exchange every service publishes its events to. */
  AMQP_EXCHANGE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._:-]{1,127}$/, { message: 'expected an exchange name: letters, digits, ".", "_", ":" or "-"' })
    .optional()
    .transform((v) => v ?? 'acme.events'),
  /** Upper bound of the reconnect backoff while the broker is unreachable. */
  AMQP_RECONNECT_MAX_DELAY_MS: millisVar(10_000, 100, 300_000),
  /** How long a publish may wait for the broker's confirm before it counts as failed (and is retried). */
  AMQP_CONFIRM_TIMEOUT_MS: millisVar(10_000, 100, 300_000),
  /** How often the relay looks for pending outbox rows it was not told about (other replicas' writes, retries). */
  OUTBOX_POLL_INTERVAL_MS: millisVar(1_000, 10, 300_000),
  /** Rows the relay claims and publishes per confirm cycle. */
  OUTBOX_BATCH_SIZE: intVar(100, 1, 1_000),
});

/** Additional variables of a service that consumes events. */
export const consumerEnv = () => ({
  /** Unacknowledged messages the broker may hand this consumer at once. */
  AMQP_PREFETCH: intVar(10, 1, 1_000),
  /** Attempts at handling an event before it goes to the dead-letter queue (database outages do not count). */
  EVENT_MAX_ATTEMPTS: intVar(5, 1, 100),
});

type Shape = ReturnType<typeof messagingEnv>;
export type MessagingEnv = { [K in keyof Shape]: z.output<Shape[K]> };
type ConsumerShape = ReturnType<typeof consumerEnv>;
export type ConsumerEnv = { [K in keyof ConsumerShape]: z.output<ConsumerShape[K]> };

/** Broker settings of one service; `url` undefined means no broker is configured. */
export interface MessagingSettings {
  /** Names the service's connections on the broker and is the `app-id` of what it publishes. */
  readonly serviceName: string;
  readonly url: string | undefined;
  readonly exchange: string;
  readonly reconnectMaxDelayMs: number;
  readonly confirmTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly batchSize: number;
}

export function messagingSettingsFromEnv(env: MessagingEnv, serviceName: string): MessagingSettings {
  return {
    serviceName,
    url: env.AMQP_URL,
    exchange: env.AMQP_EXCHANGE,
    reconnectMaxDelayMs: env.AMQP_RECONNECT_MAX_DELAY_MS,
    confirmTimeoutMs: env.AMQP_CONFIRM_TIMEOUT_MS,
    pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
    batchSize: env.OUTBOX_BATCH_SIZE,
  };
}

/** The URL without its password, for logs. */
export function redactAmqpUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

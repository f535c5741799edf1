import type { ConsumeMessage, Options } from 'amqplib';

/** Why a message went to the dead-letter queue (the `x-error-kind` header). */
export type DeadLetterKind =
  /** content-type is not application/x-protobuf. */
  | 'unsupported-content-type'
  /** The `type` property names no event this consumer handles. */
  | 'unsupported-type'
  /** message-id is missing or not a UUID, so the message cannot be deduplicated. */
  | 'invalid-message-id'
  /** The body does not decode as the named type, or its event_id differs from the message-id. */
  | 'undecodable'
  /** The handler found the event invalid (RejectEventError). */
  | 'rejected'
  /** The handler failed on every attempt. */
  | 'failed';

/** Headers added to a dead-lettered message; the original properties and headers are kept. */
export const DEAD_LETTER_HEADERS = {
  /** Human-readable reason. */
  error: 'x-error',
  /** A DeadLetterKind. */
  kind: 'x-error-kind',
  /** The consumer that gave up on it. */
  consumer: 'x-error-consumer',
  /** ISO 8601 time it was dead-lettered. */
  time: 'x-error-time',
  originalExchange: 'x-original-exchange',
  originalRoutingKey: 'x-original-routing-key',
} as const;

const MAX_REASON_LENGTH = 1_000;

/** Publish options for the copy that goes to the dead-letter queue. */
export function deadLetterProperties(message: ConsumeMessage, consumer: string, kind: DeadLetterKind, reason: string): Options.Publish {
  const p = message.properties;
  return {
    // user-id is left out (the broker checks it against the publishing user) and
    // expiration too (a dead letter waits for a person, however long that takes).
    contentType: p.contentType,
    contentEncoding: p.contentEncoding,
    correlationId: p.correlationId,
    replyTo: p.replyTo,
    messageId: p.messageId,
    timestamp: p.timestamp,
    type: p.type,
    appId: p.appId,
    persistent: true,
    headers: {
      ...(p.headers ?? {}),
      [DEAD_LETTER_HEADERS.error]: reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason,
      [DEAD_LETTER_HEADERS.kind]: kind,
      [DEAD_LETTER_HEADERS.consumer]: consumer,
      [DEAD_LETTER_HEADERS.time]: new Date().toISOString(),
      [DEAD_LETTER_HEADERS.originalExchange]: message.fields.exchange,
      [DEAD_LETTER_HEADERS.originalRoutingKey]: message.fields.routingKey,
    },
  };
}

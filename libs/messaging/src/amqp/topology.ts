import type { Channel } from 'amqplib';

/** The topic exchange all events are published to. Publishers and consumers both declare it (idempotently). */
export async function declareEventsExchange(channel: Channel, exchange: string): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true });
}

/** Deliveries of one message after which the broker dead-letters it, unless a consumer says otherwise. */
export const DEFAULT_DELIVERY_LIMIT = 20;

/** Where a consumer's queue dead-letters to, unless the consumer says otherwise. */
export const deadLetterQueueOf = (queue: string): string => `${queue}.dlq`;

export interface ConsumerQueueSpec {
  readonly exchange: string;
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly routingKeys: readonly string[];
  /** Deliveries of one message after which the broker itself dead-letters it. */
  readonly deliveryLimit: number;
}

/**
 * A consumer's durable queue, bound to its routing keys, and its dead-letter
 * queue. Both are quorum queues: replicated when the broker is a cluster, and
 * they count deliveries, so a message that keeps crashing its consumer
 * (redelivered again and again without an ack) is moved to the dead-letter
 * queue by the broker after `deliveryLimit` deliveries instead of looping
 * forever. Messages the consumer rejects itself are republished to the
 * dead-letter queue with the reason in headers (see IdempotentConsumer).
 */
export async function declareConsumerQueues(channel: Channel, spec: ConsumerQueueSpec): Promise<void> {
  await declareEventsExchange(channel, spec.exchange);
  await channel.assertQueue(spec.deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.assertQueue(spec.queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': spec.deliveryLimit,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': spec.deadLetterQueue,
    },
  });
  for (const routingKey of spec.routingKeys) await channel.bindQueue(spec.queue, spec.exchange, routingKey);
}

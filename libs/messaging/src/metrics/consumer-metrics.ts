import type { BatchObservableResult } from '@opentelemetry/api';
import { meterOf } from '@acme/telemetry';
import type { AmqpConnection } from '../amqp/amqp-connection';
import type { ConsumeOutcome } from '../inbox/idempotent-consumer';

export interface ConsumerMetricsTarget {
  on(event: 'outcome', listener: (outcome: ConsumeOutcome) => void): unknown;
}

/**
 * messaging.client.consumed.messages by outcome (processed, duplicate,
 * dead_lettered) for one consumer's queue, and messaging.dlq.messages, the
 * depth of its dead-letter queue, asked of the broker at each scrape on a
 * channel of its own (a passive check that fails, e.g. the queue was deleted,
 * closes only that channel, never the consumer's). Returns the stop function.
 */
export function observeConsumer(consumer: ConsumerMetricsTarget, connection: AmqpConnection, queue: string, deadLetterQueue: string): () => void {
  const meter = meterOf('@acme/messaging');
  const consumed = meter.createCounter('messaging.client.consumed.messages', {
    description: 'Messages the consumer finished with, by outcome',
    unit: '{message}',
  });
  const base = { 'messaging.system': 'rabbitmq', 'messaging.destination.name': queue };
  const byOutcome = {
    processed: { ...base, outcome: 'processed' },
    duplicate: { ...base, outcome: 'duplicate' },
    'dead-lettered': { ...base, outcome: 'dead_lettered' },
  };
  consumer.on('outcome', (outcome) => consumed.add(1, byOutcome[outcome.kind]));

  const depth = meter.createObservableGauge('messaging.dlq.messages', {
    description: 'Messages waiting in the dead-letter queue (each needs a person)',
    unit: '{message}',
  });
  const dlq = { 'messaging.system': 'rabbitmq', 'messaging.destination.name': deadLetterQueue };
  const observe = async (result: BatchObservableResult) => {
    const count = await queueDepth(connection, deadLetterQueue);
    if (count !== undefined) result.observe(depth, count, dlq);
  };
  meter.addBatchObservableCallback(observe, [depth]);
  return () => meter.removeBatchObservableCallback(observe, [depth]);
}

/** The queue's ready message count, or undefined when the broker cannot say now. */
async function queueDepth(connection: AmqpConnection, queue: string): Promise<number | undefined> {
  const model = connection.current;
  if (!model) return undefined;
  try {
    const channel = await model.createChannel();
    channel.on('error', () => undefined); // a failed check closes the channel with an error event: expected, not fatal
    try {
      return (await channel.checkQueue(queue)).messageCount;
    } finally {
      await channel.close().catch(() => undefined);
    }
  } catch {
    return undefined;
  }
}

import { once } from 'node:events';
import { Logger } from '@nestjs/common';
import type { ConfirmChannel } from 'amqplib';
import { bufferView } from '@acme/contracts';
import { runInTrace } from '@acme/telemetry';
import type { AmqpConnection } from './amqp-connection';
import { eventProperties, type OutgoingEvent } from './event-message';

export interface ConfirmPublisherOptions {
  /** Topic exchange the events go to; declared (durable) on every new channel. */
  readonly exchange: string;
  /** `app-id` of every message: the publishing service. */
  readonly appId: string;
  /** A publish without the broker's confirm after this long counts as failed. */
  readonly confirmTimeoutMs: number;
}

/** Per event, in order: confirmed by the broker, or why not. */
export type PublishResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

/**
 * Publishes events with publisher confirms: a publish succeeds only once the
 * broker has taken responsibility for the message (written it to every queue
 * it routes to, to disk for persistent messages on durable queues). Nothing is
 * buffered here: when the broker is away or blocks us, the publish fails at
 * once and the caller (the outbox relay) keeps the events and retries later.
 */
export class ConfirmPublisher {
  private readonly logger = new Logger('ConfirmPublisher');
  private channel: Promise<ConfirmChannel> | undefined;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ConfirmPublisherOptions,
  ) {
    // A channel belongs to one connection: forget it when a new one arrives.
    connection.on('connect', () => (this.channel = undefined));
  }

  /** Whether a publish can be attempted now (connected, not blocked by the broker). */
  get usable(): boolean {
    return this.connection.connected && this.connection.blocked === undefined;
  }

  /** Resolves when publishing is possible again, or when `signal` aborts. */
  whenUsable(signal: AbortSignal): Promise<void> {
    return this.connection.whenUsable(signal);
  }

  /** Publishes each event and waits for the confirms. Never throws: failures are per-event results. */
  async publishAll(events: readonly OutgoingEvent[]): Promise<PublishResult[]> {
    const unusable = this.connection.connected
      ? this.connection.blocked && `the broker blocks publishing (${this.connection.blocked})`
      : 'not connected to the broker';
    if (unusable) return events.map(() => ({ ok: false, error: unusable }));

    let channel: ConfirmChannel;
    try {
      channel = await this.openChannel();
    } catch (error) {
      const reason = `cannot open a channel: ${describe(error)}`;
      return events.map(() => ({ ok: false, error: reason }));
    }

    const settle: ((result: PublishResult) => void)[] = [];
    const results = events.map((_, i) => new Promise<PublishResult>((resolve) => (settle[i] = once1(resolve))));
    const timer = setTimeout(() => {
      const error = `no confirm from the broker within ${this.options.confirmTimeoutMs} ms`;
      settle.forEach((s) => s({ ok: false, error }));
      // Late confirms must not be mistaken for later publishes': closing the
      // channel makes the next publish start over on a new one.
      channel.close().catch(() => undefined);
    }, this.options.confirmTimeoutMs);

    for (const [i, event] of events.entries()) {
      try {
        // In the trace the event was recorded in: the publish span (with tracing on) continues it.
        const accepted = runInTrace(event.traceparent, () =>
          channel.publish(
            this.options.exchange,
            event.routingKey,
            bufferView(event.payload),
            eventProperties(event, this.options.appId),
            (error) => settle[i](error ? { ok: false, error: `broker refused the message: ${describe(error)}` } : { ok: true }),
          ),
        );
        // The channel's write buffer is full: let it drain before writing more.
        if (!accepted) await Promise.race([once(channel, 'drain'), once(channel, 'close')]);
      } catch (error) {
        settle[i]({ ok: false, error: `publish failed: ${describe(error)}` });
      }
    }
    try {
      return await Promise.all(results);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the channel (the connection is not ours to close). */
  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    if (channel) await channel.then((c) => c.close()).catch(() => undefined);
  }

  private openChannel(): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    const model = this.connection.current;
    if (!model) return Promise.reject(new Error('not connected to the broker'));
    const opening = (async () => {
      const channel = await model.createConfirmChannel();
      // A channel-level error (e.g. the exchange was deleted under us) closes
      // only the channel; the next publish opens a fresh one.
      channel.on('error', (error: Error) => this.logger.warn(`publisher channel closed by the broker: ${error.message}`));
      channel.on('close', () => {
        if (this.channel === opening) this.channel = undefined;
      });
      await channel.assertExchange(this.options.exchange, 'topic', { durable: true });
      return channel;
    })();
    opening.catch(() => {
      if (this.channel === opening) this.channel = undefined;
    });
    this.channel = opening;
    return opening;
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Wraps a resolver so only its first call counts (a confirm may race the timeout). */
function once1<T>(resolve: (value: T) => void): (value: T) => void {
  let done = false;
  return (value) => {
    if (done) return;
    done = true;
    resolve(value);
  };
}

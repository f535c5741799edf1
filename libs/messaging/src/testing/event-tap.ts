import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';

/** A message the tap received. */
export interface TappedMessage {
  readonly content: Buffer;
  readonly properties: ConsumeMessage['properties'];
  readonly routingKey: string;
  readonly redelivered: boolean;
}

export interface EventTapOptions {
  readonly exchange: string;
  /** Bind a private queue to the exchange with these routing keys... */
  readonly routingKeys?: readonly string[];
  /** ...or drain an existing queue (e.g. a consumer's dead-letter queue). */
  readonly queue?: string;
}

type Waiter = {
  readonly match: (m: TappedMessage) => boolean;
  readonly count: number;
  /** Matching messages so far: each message is tested once per waiter. */
  readonly matched: TappedMessage[];
  readonly resolve: (m: TappedMessage[]) => void;
};

const BARRIER_TYPE = 'acme.test.Barrier';

/**
 * A test's window on the broker: records every message routed to it, lets a
 * test await the ones it expects (no sleeping), and publishes raw messages
 * (duplicates, garbage) as any other client could.
 */
export class EventTap {
  readonly messages: TappedMessage[] = [];
  private readonly waiters = new Set<Waiter>();

  private constructor(
    private readonly model: ChannelModel,
    private readonly channel: ConfirmChannel,
    private readonly exchange: string,
  ) {}

  static async open(url: string, options: EventTapOptions): Promise<EventTap> {
    const model = await connect(url);
    const channel = await model.createConfirmChannel();
    await channel.assertExchange(options.exchange, 'topic', { durable: true });
    let queue = options.queue;
    if (queue === undefined) {
      queue = (await channel.assertQueue('', { exclusive: true, autoDelete: true })).queue;
      for (const key of options.routingKeys ?? ['#']) await channel.bindQueue(queue, options.exchange, key);
    }
    const tap = new EventTap(model, channel, options.exchange);
    await channel.consume(queue, (message) => message && tap.receive(message), { noAck: true });
    return tap;
  }

  /** Resolves with the first `count` messages matching `match`, seen already or arriving later. */
  waitFor(match: (m: TappedMessage) => boolean, count = 1, what = 'messages', timeoutMs = 20_000): Promise<TappedMessage[]> {
    const seen = this.messages.filter(match);
    if (seen.length >= count) return Promise.resolve(seen.slice(0, count));
    return new Promise((resolve, reject) => {
      // A failsafe with a readable message, not a speed requirement.
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`waited ${timeoutMs} ms for ${count} ${what}; got ${waiter.matched.length} (${this.messages.length} messages in all)`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        count,
        matched: seen,
        resolve: (messages) => {
          clearTimeout(timer);
          resolve(messages);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Messages with this AMQP `type` (and optionally this message-id). */
  ofType(type: string, messageId?: string): TappedMessage[] {
    return this.messages.filter((m) => m.properties.type === type && (messageId === undefined || m.properties.messageId === messageId));
  }

  /**
   * Publishes a marker through the exchange to this tap's own queue and waits
   * for it. A queue delivers in order, so once the marker is here, everything
   * routed to the queue before it has been received too: "nothing else is on
   * its way" becomes something a test can await.
   */
  async barrier(routingKey: string): Promise<void> {
    const id = randomUUID();
    const waiting = this.waitFor((m) => m.properties.messageId === id, 1, 'barrier');
    await this.publish(routingKey, Buffer.alloc(0), { messageId: id, type: BARRIER_TYPE });
    await waiting;
  }

  /** Publishes to the exchange and waits for the broker's confirm. */
  publish(routingKey: string, content: Buffer, properties: Options.Publish = {}): Promise<void> {
    return new Promise((resolve, reject) =>
      this.channel.publish(this.exchange, routingKey, content, properties, (error) => (error ? reject(new Error(String(error))) : resolve())),
    );
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => undefined);
  }

  private receive(message: ConsumeMessage): void {
    const tapped: TappedMessage = {
      content: message.content,
      properties: message.properties,
      routingKey: message.fields.routingKey,
      redelivered: message.fields.redelivered,
    };
    this.messages.push(tapped);
    for (const waiter of this.waiters) {
      if (!waiter.match(tapped)) continue;
      waiter.matched.push(tapped);
      if (waiter.matched.length >= waiter.count) {
        this.waiters.delete(waiter);
        waiter.resolve(waiter.matched.slice(0, waiter.count));
      }
    }
  }
}

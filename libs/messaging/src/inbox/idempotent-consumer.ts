import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { EventContract, EventMessage } from '@acme/contracts';
import type { AmqpConnection } from '../amqp/amqp-connection';
import { PROTOBUF_CONTENT_TYPE } from '../amqp/event-message';
import { declareConsumerQueues, deadLetterQueueOf, DEFAULT_DELIVERY_LIMIT } from '../amqp/topology';
import { type DeadLetterKind, deadLetterProperties } from './dead-letter';
import type { SqlDatabase, SqlExecutor } from '../sql';
import { DEFAULT_INBOX_TABLE, pruneInbox, recordInInbox } from './inbox';
import { observeConsumer } from '../metrics/consumer-metrics';

/** Thrown by a handler for an event that can never be processed (e.g. a field is not a UUID): dead-letter it now, no retries. */
export class RejectEventError extends Error {
  override readonly name = 'RejectEventError';
}

/** Where a message came from, for handlers that want to log or inspect it. */
export interface DeliveryInfo {
  readonly eventId: string;
  readonly type: string;
  readonly routingKey: string;
  readonly redelivered: boolean;
  readonly appId: string | undefined;
}

/** The transaction a handler runs in: SQL with positional parameters, nothing ORM-specific. */
export type EventTransaction = SqlExecutor;

/** Applies one event type's effect. */
export interface EventHandler<T extends EventMessage = EventMessage> {
  readonly contract: EventContract<T>;
  /**
   * Runs inside the database transaction that also records the event in the
   * inbox: make every change through `tx`. Throw RejectEventError for an
   * event that is invalid; any other error is retried.
   */
  handle(event: T, tx: EventTransaction, delivery: DeliveryInfo): Promise<void>;
}

export type ConsumeOutcome =
  | { readonly kind: 'processed' | 'duplicate'; readonly eventId: string; readonly type: string }
  | {
      readonly kind: 'dead-lettered';
      readonly eventId: string | undefined;
      readonly type: string | undefined;
      readonly reason: string;
      readonly errorKind: DeadLetterKind;
    };

export interface IdempotentConsumerOptions {
  /** Identifies this consumer in the inbox, in logs and on the broker, e.g. "order-service.user-events". */
  readonly name: string;
  readonly exchange: string;
  /** Durable queue bound to every handler's routing key. */
  readonly queue: string;
  /** Where messages go that cannot be processed; default `<queue>.dlq` (deadLetterQueueOf). */
  readonly deadLetterQueue?: string;
  /** Messages the broker may send before we acknowledge; they are processed one at a time. */
  readonly prefetch: number;
  /** Attempts before a failing event is dead-lettered (transient failures do not count). */
  readonly maxAttempts: number;
  readonly handlers: readonly EventHandler[];
  readonly inboxTable?: string;
  /** Failures that mean "cannot work right now" (e.g. the database is unreachable): retried without limit. */
  readonly isTransient?: (error: unknown) => boolean;
  readonly retryInitialDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /** Broker-side limit on deliveries of one message (protects against crash loops); default DEFAULT_DELIVERY_LIMIT. */
  readonly deliveryLimit?: number;
  /** How long processed event ids are remembered; default 30 days. */
  readonly inboxRetentionMs?: number;
}

type Inspection =
  | { readonly ok: true; readonly handler: EventHandler; readonly event: EventMessage; readonly info: DeliveryInfo }
  | { readonly ok: false; readonly kind: DeadLetterKind; readonly reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Consumes events from a durable queue and applies each effect exactly once,
 * although the broker delivers at least once:
 * - the handler's changes and an inbox row for the event id commit in one
 *   transaction; a redelivered or republished event finds its inbox row and
 *   changes nothing;
 * - the message is acknowledged only after that commit (a crash in between
 *   means a redelivery, which the inbox absorbs);
 * - what cannot be understood (wrong content type, unknown type, bad
 *   message-id, undecodable body) or keeps failing goes to the dead-letter
 *   queue with the reason in an `x-error` header, and consumption goes on;
 * - on every new connection (after a broker restart) the channel, topology
 *   and subscription are set up again; a channel closed by an error is
 *   reopened with backoff.
 * Events are handled one at a time, in delivery order.
 */
export class IdempotentConsumer extends EventEmitter<{
  /** After each message: what became of it. */
  outcome: [ConsumeOutcome];
  /** Subscribed to the queue (at start, and again after every reconnect). */
  consuming: [];
}> {
  private readonly logger: Logger;
  private readonly handlers: ReadonlyMap<string, EventHandler>;
  private readonly deadLetterQueue: string;
  private readonly inboxTable: string;
  private readonly stopping = new AbortController();
  private channel: ConfirmChannel | undefined;
  private consumerTag: string | undefined;
  private attaching: Promise<void> | undefined;
  private reattachTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private attachFailures = 0;
  private stopObserving: (() => void) | undefined;
  private work: Promise<void> = Promise.resolve();
  private readonly onConnect = (model: ChannelModel) => void this.attach(model);

  constructor(
    private readonly connection: AmqpConnection,
    private readonly db: SqlDatabase,
    private readonly options: IdempotentConsumerOptions,
  ) {
    super();
    this.logger = new Logger(`Consumer ${options.name}`);
    this.handlers = new Map(options.handlers.map((h) => [h.contract.type, h]));
    this.deadLetterQueue = options.deadLetterQueue ?? deadLetterQueueOf(options.queue);
    this.inboxTable = options.inboxTable ?? DEFAULT_INBOX_TABLE;
  }

  /** Starts consuming whenever the connection is up (now, or once it comes). */
  start(): void {
    this.connection.on('connect', this.onConnect);
    this.stopObserving ??= observeConsumer(this, this.connection, this.options.queue, this.deadLetterQueue);
    const model = this.connection.current;
    if (model) void this.attach(model);
    const prune = () =>
      pruneInbox(this.db, this.options.inboxRetentionMs ?? 30 * 86_400_000, this.inboxTable).catch((error: unknown) =>
        this.logger.warn(`could not prune the inbox: ${describe(error)}`),
      );
    void prune();
    this.pruneTimer = setInterval(prune, PRUNE_EVERY_MS).unref();
  }

  /**
   * Stops taking messages, lets the one being processed finish (committed and
   * acknowledged), and closes the channel, which returns every message
   * received but not processed to the queue for another consumer.
   */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    this.stopObserving?.();
    this.connection.off('connect', this.onConnect);
    clearTimeout(this.reattachTimer);
    clearInterval(this.pruneTimer);
    await this.attaching;
    const channel = this.channel;
    if (channel && this.consumerTag) await channel.cancel(this.consumerTag).catch(() => undefined);
    await this.work;
    this.channel = undefined;
    if (channel) await channel.close().catch(() => undefined);
    this.logger.log(`stopped consuming ${this.options.queue}`);
  }

  private attach(model: ChannelModel): Promise<void> {
    // One attach at a time; a connect that arrives meanwhile finds the new channel up.
    this.attaching ??= this.open(model).finally(() => (this.attaching = undefined));
    return this.attaching;
  }

  private async open(model: ChannelModel): Promise<void> {
    if (this.stopping.signal.aborted) return;
    let channel: ConfirmChannel | undefined;
    try {
      channel = await model.createConfirmChannel();
      const opened = channel;
      opened.on('error', (error: Error) => this.logger.warn(`channel closed by the broker: ${error.message}`));
      opened.on('close', () => this.onChannelClosed(opened));
      await opened.prefetch(this.options.prefetch);
      await declareConsumerQueues(opened, {
        exchange: this.options.exchange,
        queue: this.options.queue,
        deadLetterQueue: this.deadLetterQueue,
        routingKeys: this.options.handlers.map((h) => h.contract.routingKey),
        deliveryLimit: this.options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT,
      });
      this.channel = opened;
      const { consumerTag } = await opened.consume(this.options.queue, (message) => this.enqueue(opened, message), {
        noAck: false,
        consumerTag: `${this.options.name}.${process.pid}.${Date.now().toString(36)}`,
      });
      this.consumerTag = consumerTag;
      this.attachFailures = 0;
      this.logger.log(`consuming ${this.options.queue} (${[...this.handlers.keys()].join(', ')})`);
      this.emit('consuming');
    } catch (error) {
      this.attachFailures += 1;
      this.logger.warn(`cannot consume ${this.options.queue}: ${describe(error)}`);
      if (channel && channel === this.channel) this.channel = undefined;
      await channel?.close().catch(() => undefined);
      this.scheduleReattach();
    }
  }

  private onChannelClosed(channel: ConfirmChannel): void {
    if (channel !== this.channel) return;
    this.channel = undefined;
    this.consumerTag = undefined;
    if (this.stopping.signal.aborted) return;
    // If the whole connection went, its 'connect' brings us back; if only the
    // channel did (a channel-level error), reopen it on the live connection.
    this.attachFailures += 1;
    this.scheduleReattach();
  }

  private scheduleReattach(): void {
    if (this.stopping.signal.aborted || this.reattachTimer) return;
    const delay = Math.min(250 * 2 ** Math.min(this.attachFailures, 10), 30_000);
    this.reattachTimer = setTimeout(() => {
      this.reattachTimer = undefined;
      const model = this.connection.current;
      if (model && !this.channel) void this.attach(model);
    }, delay);
  }

  private enqueue(channel: ConfirmChannel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the subscription (the queue was deleted): start over, which declares it again.
      this.logger.warn(`the broker cancelled the subscription to ${this.options.queue}; subscribing again`);
      channel.close().catch(() => undefined);
      return;
    }
    this.work = this.work
      .then(() => this.process(channel, message))
      .catch((error: unknown) => this.logger.error(`unexpected failure while processing a message: ${describe(error)}`));
  }

  private async process(channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    // Stopping, or the channel died: leave it unacknowledged; the broker redelivers it.
    if (this.stopping.signal.aborted || channel !== this.channel) return;
    const inspection = this.inspect(message);
    if (!inspection.ok) return this.deadLetter(channel, message, inspection.kind, inspection.reason);
    const { handler, event, info } = inspection;

    let attempt = 1;
    let transientFailures = 0;
    for (;;) {
      try {
        const fresh = await this.db.transaction(async (tx) => {
          if (!(await recordInInbox(tx, { consumer: this.options.name, eventId: info.eventId, type: info.type }, this.inboxTable))) {
            return false;
          }
          await handler.handle(event, tx, info);
          return true;
        });
        this.ack(channel, message);
        if (!fresh) this.logger.log(`${info.type} ${info.eventId} was already processed (duplicate delivery); acknowledged`);
        else this.logger.debug(`${info.type} ${info.eventId} processed`);
        this.emit('outcome', { kind: fresh ? 'processed' : 'duplicate', eventId: info.eventId, type: info.type });
        return;
      } catch (error) {
        if (error instanceof RejectEventError) return this.deadLetter(channel, message, 'rejected', error.message);
        const transient = this.options.isTransient?.(error) ?? false;
        if (!transient && attempt >= this.options.maxAttempts) {
          return this.deadLetter(channel, message, 'failed', `${describe(error)} (failed ${attempt} attempts)`);
        }
        const step = transient ? ++transientFailures : attempt;
        const delay = Math.min((this.options.retryInitialDelayMs ?? 200) * 2 ** (step - 1), this.options.retryMaxDelayMs ?? 30_000);
        this.logger.warn(
          `${info.type} ${info.eventId}: ${transient ? 'temporary failure' : `attempt ${attempt} of ${this.options.maxAttempts} failed`} ` +
            `(${describe(error)}); retrying in ${delay} ms`,
        );
        if (!transient) attempt += 1;
        if (!(await this.pause(delay)) || channel !== this.channel) return;
      }
    }
  }

  private inspect(message: ConsumeMessage): Inspection {
    const { contentType, type, messageId, appId } = message.properties as {
      contentType?: unknown;
      type?: unknown;
      messageId?: unknown;
      appId?: unknown;
    };
    if (contentType !== PROTOBUF_CONTENT_TYPE) {
      return { ok: false, kind: 'unsupported-content-type', reason: `content-type is ${show(contentType)}, expected ${PROTOBUF_CONTENT_TYPE}` };
    }
    const handler = typeof type === 'string' ? this.handlers.get(type) : undefined;
    if (!handler) {
      const known = [...this.handlers.keys()].join(', ');
      return { ok: false, kind: 'unsupported-type', reason: `type is ${show(type)}; ${this.options.queue} handles ${known}` };
    }
    if (typeof messageId !== 'string' || !UUID.test(messageId)) {
      return { ok: false, kind: 'invalid-message-id', reason: `message-id is ${show(messageId)}, expected the event's UUID` };
    }
    let event: EventMessage;
    try {
      event = handler.contract.decode(message.content);
    } catch (error) {
      return { ok: false, kind: 'undecodable', reason: `body is not a valid ${handler.contract.type}: ${describe(error)}` };
    }
    if (event.eventId.toLowerCase() !== messageId.toLowerCase()) {
      return { ok: false, kind: 'undecodable', reason: `event_id ${show(event.eventId)} differs from message-id ${messageId}` };
    }
    const info: DeliveryInfo = {
      eventId: messageId.toLowerCase(),
      type: handler.contract.type,
      routingKey: message.fields.routingKey,
      redelivered: message.fields.redelivered,
      appId: typeof appId === 'string' ? appId : undefined,
    };
    return { ok: true, handler, event, info };
  }

  /** Republishes the message to the dead-letter queue with the reason in headers, then acknowledges the original. */
  private async deadLetter(channel: ConfirmChannel, message: ConsumeMessage, kind: DeadLetterKind, reason: string): Promise<void> {
    const { messageId, type } = message.properties as { messageId?: unknown; type?: unknown };
    try {
      await new Promise<void>((resolve, reject) => {
        channel.publish('', this.deadLetterQueue, message.content, deadLetterProperties(message, this.options.name, kind, reason), (error) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
        );
      });
    } catch (error) {
      // Not acknowledged: the broker redelivers it and we try again.
      this.logger.warn(`could not move message ${show(messageId)} to ${this.deadLetterQueue} (${describe(error)}); it stays queued`);
      return;
    }
    this.ack(channel, message);
    this.logger.warn(`moved message ${show(messageId)} (type ${show(type)}) to ${this.deadLetterQueue}: ${reason}`);
    this.emit('outcome', {
      kind: 'dead-lettered',
      eventId: typeof messageId === 'string' ? messageId : undefined,
      type: typeof type === 'string' ? type : undefined,
      reason,
      errorKind: kind,
    });
  }

  private ack(channel: ConfirmChannel, message: ConsumeMessage): void {
    try {
      channel.ack(message);
    } catch (error) {
      // The channel closed after the commit: the broker redelivers the message and the inbox absorbs it.
      this.logger.debug(`could not acknowledge (${describe(error)}); the redelivery will be recognised as a duplicate`);
    }
  }

  /** Waits `ms`; false when stop() interrupted the wait. */
  private pause(ms: number): Promise<boolean> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (completed: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(completed);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      signal.addEventListener('abort', onAbort);
    });
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const show = (value: unknown): string => (value === undefined || value === null ? '(missing)' : JSON.stringify(value));

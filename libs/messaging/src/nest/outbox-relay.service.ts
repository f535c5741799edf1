import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfirmPublisher } from '../amqp/confirm-publisher';
import { countPendingEvents, OutboxRelay } from '../outbox/outbox-relay';
import { MESSAGING_DATABASE, MessagingConnections } from './messaging-connections';
import type { SqlDatabase } from '../sql';
import { countRelayPublishes, observeOutboxBacklog } from '../metrics/outbox-metrics';

export const OUTBOX_TABLE = Symbol('OUTBOX_TABLE');

/**
 * The service's outbox relay, run for the application's lifetime. It starts
 * a cycle as soon as a write to the outbox commits (the table's trigger
 * notifies it), so services only write their events in their transaction.
 *
 * Without a broker (AMQP_URL unset) nothing runs: events accumulate in the
 * outbox, which is said loudly at startup, and are published once the service
 * runs with a broker.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Outbox');
  private relay: OutboxRelay | undefined;
  private publisher: ConfirmPublisher | undefined;
  private stopObserving: (() => void) | undefined;

  constructor(
    private readonly connections: MessagingConnections,
    @Inject(MESSAGING_DATABASE) private readonly db: SqlDatabase,
    @Inject(OUTBOX_TABLE) private readonly table: string,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.connections.settings;
    // The backlog is measured with or without a broker: without one is when it grows.
    this.stopObserving = observeOutboxBacklog(this.db, this.table);
    if (!this.connections.enabled) {
      const pending = await countPendingEvents(this.db, this.table).catch(() => undefined);
      this.logger.warn(
        `AMQP_URL is not set: events are kept in the ${this.table} table and not published` +
          `${pending === undefined ? '' : ` (${pending} pending)`}. Set AMQP_URL and restart to publish them.`,
      );
      return;
    }
    const connection = await this.connections.connection('publisher');
    this.publisher = new ConfirmPublisher(connection, {
      exchange: settings.exchange,
      appId: settings.serviceName,
      confirmTimeoutMs: settings.confirmTimeoutMs,
    });
    this.relay = new OutboxRelay(this.db, this.publisher, {
      table: this.table,
      batchSize: settings.batchSize,
      pollIntervalMs: settings.pollIntervalMs,
    });
    countRelayPublishes(this.relay, settings.exchange);
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopObserving?.();
    await this.relay?.stop();
    await this.publisher?.close();
  }
}


import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { IdempotentConsumer, MessagingConnections } from '@acme/messaging';
import { Database, isDatabaseUnavailable } from '@acme/persistence';
import { ORDER_SERVICE_CONFIG, type OrderServiceConfig } from '../config';
import { UserDeletedHandler } from './user-deleted.handler';

/** order-service's subscription to user events; the name of its queue and of its inbox entries. */
export const USER_EVENTS_CONSUMER = 'order-service.user-events';

/**
 * Consumes user-service's events from the durable queue
 * `order-service.user-events` (dead letters: `order-service.user-events.dlq`)
 * for the application's lifetime: starts after bootstrap, and at shutdown
 * finishes the event in progress before the database pool closes.
 */
@Injectable()
export class UserEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('UserEvents');
  private consumer: IdempotentConsumer | undefined;

  constructor(
    private readonly connections: MessagingConnections,
    private readonly db: Database,
    private readonly userDeleted: UserDeletedHandler,
    @Inject(ORDER_SERVICE_CONFIG) private readonly config: OrderServiceConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.connections.enabled) {
      this.logger.warn(
        'AMQP_URL is not set: acme.user.v1.UserDeleted is not consumed, so orders of deleted users stay open ' +
          'until order-service runs with a broker (events published meanwhile wait in its queue once it has been declared).',
      );
      return;
    }
    this.consumer = new IdempotentConsumer(await this.connections.connection('consumer'), this.db, {
      name: USER_EVENTS_CONSUMER,
      exchange: this.connections.settings.exchange,
      queue: USER_EVENTS_CONSUMER,
      prefetch: this.config.AMQP_PREFETCH,
      maxAttempts: this.config.EVENT_MAX_ATTEMPTS,
      handlers: [this.userDeleted],
      // A database outage is waited out, never a reason to dead-letter an event.
      isTransient: isDatabaseUnavailable,
    });
    this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}

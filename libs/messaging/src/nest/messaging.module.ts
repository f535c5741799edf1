import { type DynamicModule, Global, type InjectionToken, Module } from '@nestjs/common';
import type { MessagingSettings } from '../config/messaging-env';
import { DEFAULT_OUTBOX_TABLE } from '../outbox/outbox-event';
import { MESSAGING_DATABASE, MESSAGING_SETTINGS, MessagingConnections } from './messaging-connections';
import { OUTBOX_TABLE, OutboxRelayService } from './outbox-relay.service';

export interface MessagingModuleOptions {
  readonly settings: MessagingSettings;
  /** The provider of the service's database, a SqlDatabase (e.g. @acme/persistence's Database class). */
  readonly database: InjectionToken;
  /** The service's outbox table (default "outbox"). */
  readonly outboxTable?: string;
}

/**
 * Events for a NestJS service: broker connections and the outbox relay, tied
 * to the application lifecycle (the relay starts after bootstrap and stops
 * before the database closes).
 * Consumers are the app's own providers, built on MessagingConnections.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_SETTINGS, useValue: options.settings },
        { provide: OUTBOX_TABLE, useValue: options.outboxTable ?? DEFAULT_OUTBOX_TABLE },
        { provide: MESSAGING_DATABASE, useExisting: options.database },
        MessagingConnections,
        OutboxRelayService,
      ],
      exports: [MESSAGING_SETTINGS, MessagingConnections, OutboxRelayService],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { SERVICES } from '@acme/contracts';
import { grpcServiceDefaults } from '@acme/grpc-kit';
import { MessagingModule, messagingSettingsFromEnv } from '@acme/messaging';
import { Database, DatabaseModule, databaseReadiness } from '@acme/persistence';
import { ORDER_SERVICE_CONFIG, type OrderServiceConfig } from './config';
import { orderDatabaseSettings } from './database/database-settings';
import { EventsModule } from './events/events.module';
import { OrdersModule } from './orders/orders.module';

@Module({})
export class AppModule {
  /** The whole service, configured from an already validated config. */
  static forRoot(config: OrderServiceConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        DatabaseModule.forRoot(orderDatabaseSettings(config)),
        // Logging, and health that says SERVING only while the database answers.
        grpcServiceDefaults({
          serviceName: 'order-service',
          grpcService: SERVICES.order.typeName,
          env: config,
          readiness: databaseReadiness(),
        }),
        // The outbox relay publishes OrderCreated/OrderCancelled; the broker is optional (see OutboxRelayService).
        MessagingModule.forRoot({ settings: messagingSettingsFromEnv(config, 'order-service'), database: Database }),
        OrdersModule,
        EventsModule,
      ],
      providers: [{ provide: ORDER_SERVICE_CONFIG, useValue: config }],
      exports: [ORDER_SERVICE_CONFIG],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SERVICE_NAMES } from '@acme/contracts';
import { GrpcServerModule } from '@acme/grpc-kit';
import { MessagingModule, messagingSettingsFromEnv } from '@acme/messaging';
import { databaseReadinessCheck } from '@acme/persistence';
import { ORDER_SERVICE_CONFIG, type OrderServiceConfig } from './config';
import { orderDataSourceOptions } from './database/data-source';
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
        TypeOrmModule.forRoot({
          ...orderDataSourceOptions(config),
          // At startup wait up to ~30 s for the database (it may start alongside
          // us), then give up loudly. Later outages do not stop the process: the
          // pool reconnects and health reports NOT_SERVING meanwhile.
          retryAttempts: 30,
          retryDelay: 1_000,
        }),
        GrpcServerModule.forRoot({
          serviceName: 'order-service',
          grpcServices: [SERVICE_NAMES.order],
          logLevel: config.LOG_LEVEL,
          logFormat: config.LOG_FORMAT,
          healthIntervalMs: config.HEALTH_CHECK_INTERVAL_MS,
          readiness: {
            inject: [DataSource],
            useFactory: (dataSource: DataSource) => [databaseReadinessCheck(dataSource, 1_000)],
          },
        }),
        // The outbox relay publishes OrderCreated/OrderCancelled; the broker is optional (see OutboxRelayService).
        MessagingModule.forRoot({ settings: messagingSettingsFromEnv(config, 'order-service') }),
        OrdersModule,
        EventsModule,
      ],
      providers: [{ provide: ORDER_SERVICE_CONFIG, useValue: config }],
      exports: [ORDER_SERVICE_CONFIG],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SERVICE_NAMES } from '@acme/contracts';
import { GrpcServerModule } from '@acme/grpc-kit';
import { MessagingModule, messagingSettingsFromEnv } from '@acme/messaging';
import { databaseReadinessCheck } from '@acme/persistence';
import { USER_SERVICE_CONFIG, type UserServiceConfig } from './config';
import { userDataSourceOptions } from './database/data-source';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** The whole service, configured from an already validated config. */
  static forRoot(config: UserServiceConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          ...userDataSourceOptions(config),
          // At startup wait up to ~30 s for the database (it may start alongside
          // us), then give up loudly. Later outages do not stop the process: the
          // pool reconnects and health reports NOT_SERVING meanwhile.
          retryAttempts: 30,
          retryDelay: 1_000,
        }),
        GrpcServerModule.forRoot({
          serviceName: 'user-service',
          grpcServices: [SERVICE_NAMES.user],
          logLevel: config.LOG_LEVEL,
          logFormat: config.LOG_FORMAT,
          healthIntervalMs: config.HEALTH_CHECK_INTERVAL_MS,
          readiness: {
            inject: [DataSource],
            useFactory: (dataSource: DataSource) => [databaseReadinessCheck(dataSource, 1_000)],
          },
        }),
        // The outbox relay publishes UserDeleted; the broker is optional (see OutboxRelayService).
        MessagingModule.forRoot({ settings: messagingSettingsFromEnv(config, 'user-service') }),
        UsersModule,
      ],
      providers: [{ provide: USER_SERVICE_CONFIG, useValue: config }],
      exports: [USER_SERVICE_CONFIG],
    };
  }
}

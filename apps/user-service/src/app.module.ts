import { type DynamicModule, Module } from '@nestjs/common';
import { SERVICES } from '@acme/contracts';
import { grpcServiceDefaults } from '@acme/grpc-kit';
import { MessagingModule, messagingSettingsFromEnv } from '@acme/messaging';
import { Database, DatabaseModule, databaseReadiness } from '@acme/persistence';
import { USER_SERVICE_CONFIG, type UserServiceConfig } from './config';
import { userDatabaseSettings } from './database/database-settings';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** The whole service, configured from an already validated config. */
  static forRoot(config: UserServiceConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        DatabaseModule.forRoot(userDatabaseSettings(config)),
        // Logging, and health that says SERVING only while the database answers.
        grpcServiceDefaults({
          serviceName: 'user-service',
          grpcService: SERVICES.user.typeName,
          env: config,
          readiness: databaseReadiness(),
        }),
        // The outbox relay publishes UserDeleted; the broker is optional (see OutboxRelayService).
        MessagingModule.forRoot({ settings: messagingSettingsFromEnv(config, 'user-service'), database: Database }),
        UsersModule,
      ],
      providers: [{ provide: USER_SERVICE_CONFIG, useValue: config }],
      exports: [USER_SERVICE_CONFIG],
    };
  }
}

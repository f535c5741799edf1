import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { GrpcServerModule, type GrpcServerEnv } from '@acme/grpc-kit';
import { databaseReadinessCheck } from './database-readiness';
import { SqlStatements } from './sql-statements';

/** Makes SqlStatements (on the service's DataSource) injectable everywhere. */
@Module({})
class SqlStatementsModule {}

export interface DatabaseServiceDefaults {
  /** Used in logs and as the database's application_name. */
  readonly serviceName: string;
  /** Fully qualified gRPC service this process serves, e.g. acme.user.v1.UserService. */
  readonly grpcService: string;
  readonly env: GrpcServerEnv;
  readonly dataSource: DataSourceOptions;
}

/**
 * The modules every gRPC service with its own Postgres starts from: the
 * TypeORM connection (and SqlStatements on its pool), and the gRPC server's
 * logging and health, where health says SERVING only while the database
 * answers. One call, so each app module
 * lists only its own capabilities.
 */
export function databaseServiceDefaults(defaults: DatabaseServiceDefaults): DynamicModule[] {
  return [
    TypeOrmModule.forRoot({
      ...defaults.dataSource,
      // At startup wait up to ~30 s for the database (it may start alongside
      // us), then give up loudly. Later outages do not stop the process: the
      // pool reconnects and health reports NOT_SERVING meanwhile.
      retryAttempts: 30,
      retryDelay: 1_000,
    }),
    GrpcServerModule.forRoot({
      serviceName: defaults.serviceName,
      grpcServices: [defaults.grpcService],
      logLevel: defaults.env.LOG_LEVEL,
      logFormat: defaults.env.LOG_FORMAT,
      healthIntervalMs: defaults.env.HEALTH_CHECK_INTERVAL_MS,
      readiness: {
        inject: [DataSource],
        useFactory: (dataSource: DataSource) => [databaseReadinessCheck(dataSource, 1_000)],
      },
    }),
    {
      module: SqlStatementsModule,
      global: true,
      providers: [{ provide: SqlStatements, inject: [DataSource], useFactory: (ds: DataSource) => new SqlStatements(ds) }],
      exports: [SqlStatements],
    },
  ];
}

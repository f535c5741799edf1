import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { SqlStatements } from './sql-statements';

/** Makes SqlStatements (on the service's DataSource) injectable everywhere. */
@Module({})
class SqlStatementsModule {}

/**
 * The modules every service with its own Postgres starts from: the TypeORM
 * connection and SqlStatements on its pool. Health is the transport's
 * business: plug `databaseReadiness()` into it (see GrpcServerModule).
 */
export function databaseDefaults(dataSource: DataSourceOptions): DynamicModule[] {
  return [
    TypeOrmModule.forRoot({
      ...dataSource,
      // At startup wait up to ~30 s for the database (it may start alongside
      // us), then give up loudly. Later outages do not stop the process: the
      // pool reconnects and health reports NOT_SERVING meanwhile.
      retryAttempts: 30,
      retryDelay: 1_000,
    }),
    {
      module: SqlStatementsModule,
      global: true,
      providers: [{ provide: SqlStatements, inject: [DataSource], useFactory: (ds: DataSource) => new SqlStatements(ds) }],
      exports: [SqlStatements],
    },
  ];
}

import { type DynamicModule, type FactoryProvider, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { GRPC_HEALTH_OPTIONS, GrpcHealth, READINESS_CHECKS, type ReadinessCheck } from './health';
import { type LogFormat, pinoOptions } from '../logging/pino-options';
import type { GrpcServerEnv } from './grpc-server-env';

export interface GrpcServerModuleOptions {
  /** Used in every log line as `service`. */
  readonly serviceName: string;
  /** Fully qualified gRPC service names this server implements (health reports each). */
  readonly grpcServices: readonly string[];
  readonly logLevel: string;
  readonly logFormat?: LogFormat;
  readonly healthIntervalMs: number;
  /** What must work for this server to report SERVING; built with DI (e.g. from the DataSource). */
  readonly readiness?: Omit<FactoryProvider<readonly ReadinessCheck[]>, 'provide'>;
}

/**
 * Cross-cutting pieces every gRPC service gets: structured logging with the
 * request id on every line, and grpc.health.v1 driven by readiness checks.
 * bootstrapGrpcService() wires them to the transport.
 */
@Global()
@Module({})
export class GrpcServerModule {
  static forRoot(options: GrpcServerModuleOptions): DynamicModule {
    return {
      module: GrpcServerModule,
      imports: [LoggerModule.forRoot({ pinoHttp: pinoOptions(options.serviceName, options.logLevel, options.logFormat, { requestIdFromCallContext: true }) })],
      providers: [
        {
          provide: GRPC_HEALTH_OPTIONS,
          useValue: { serviceNames: options.grpcServices, intervalMs: options.healthIntervalMs },
        },
        options.readiness
          ? { provide: READINESS_CHECKS, ...options.readiness }
          : { provide: READINESS_CHECKS, useValue: [] },
        GrpcHealth,
      ],
      exports: [GrpcHealth],
    };
  }
}

export interface GrpcServiceDefaults {
  /** Used in every log line as `service`. */
  readonly serviceName: string;
  /** Fully qualified gRPC service this process serves, e.g. acme.user.v1.UserService. */
  readonly grpcService: string;
  /** Log level and format, and the health check interval. */
  readonly env: Pick<GrpcServerEnv, 'LOG_LEVEL' | 'LOG_FORMAT' | 'HEALTH_CHECK_INTERVAL_MS'>;
  /** What must work for the service to report SERVING, e.g. persistence's databaseReadiness(). */
  readonly readiness?: GrpcServerModuleOptions['readiness'];
}

/** GrpcServerModule for a service that serves one gRPC service, configured from its validated environment. */
export function grpcServiceDefaults(defaults: GrpcServiceDefaults): DynamicModule {
  return GrpcServerModule.forRoot({
    serviceName: defaults.serviceName,
    grpcServices: [defaults.grpcService],
    logLevel: defaults.env.LOG_LEVEL,
    logFormat: defaults.env.LOG_FORMAT,
    healthIntervalMs: defaults.env.HEALTH_CHECK_INTERVAL_MS,
    readiness: defaults.readiness,
  });
}

import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { HealthModule } from './health/health.module';
import { gatewayLoggerParams } from './http/logging';
import { RestModule } from './rest/rest.module';

/** The validated config: the one provider every part of the gateway reads, so the only global module here. */
@Module({})
class GatewayConfigModule {}

@Module({})
export class AppModule {
  /** The whole gateway, configured from an already validated config. */
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        { module: GatewayConfigModule, global: true, providers: [{ provide: GATEWAY_CONFIG, useValue: config }], exports: [GATEWAY_CONFIG] },
        LoggerModule.forRoot(gatewayLoggerParams(config.LOG_LEVEL, config.LOG_FORMAT)),
        RestModule,
        HealthModule,
      ],
    };
  }
}

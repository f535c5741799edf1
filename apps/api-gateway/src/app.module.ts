import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { HealthModule } from './health/health.module';
import { gatewayLogOptions } from './http/logging';
import { OrdersModule } from './orders/orders.module';
import { UpstreamsModule } from './upstreams/upstreams.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** The whole gateway, configured from an already validated config. */
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot({ pinoHttp: gatewayLogOptions(config.LOG_LEVEL, config.LOG_FORMAT) }),
        UpstreamsModule,
        UsersModule,
        OrdersModule,
        HealthModule,
      ],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
      exports: [GATEWAY_CONFIG],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { credentials } from '@grpc/grpc-js';
import type { ServiceTls } from './service-tls';

/**
 * The ChannelCredentials every gRPC client of the process uses (inject it
 * into createUpstreamClient and HealthClient): the workload's certificate
 * with GRPC_TLS=on, plaintext otherwise. The only place clients get them.
 */
export const GRPC_CHANNEL_CREDENTIALS = Symbol('GRPC_CHANNEL_CREDENTIALS');

@Module({})
class GrpcCredentialsModule {}

@Module({})
class WithGrpcCredentials {}

/** `module` with GRPC_CHANNEL_CREDENTIALS provided to all of it (what bootstrapGrpcService and the gateway's bootstrap start). */
export function withGrpcCredentials(module: DynamicModule | import('@nestjs/common').Type<unknown>, tls: ServiceTls | undefined): DynamicModule {
  return {
    module: WithGrpcCredentials,
    imports: [
      {
        module: GrpcCredentialsModule,
        global: true,
        providers: [{ provide: GRPC_CHANNEL_CREDENTIALS, useValue: tls?.channelCredentials() ?? credentials.createInsecure() }],
        exports: [GRPC_CHANNEL_CREDENTIALS],
      },
      module,
    ],
  };
}

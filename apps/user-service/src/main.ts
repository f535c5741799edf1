import './telemetry';
import 'reflect-metadata';
import { SERVICES } from '@acme/contracts';
import { bootstrapGrpcService, grpcServiceOptionsFromEnv } from '@acme/grpc-kit';
import { classifyDatabaseError } from '@acme/persistence';
import { AppModule } from './app.module';
import { loadUserServiceConfig } from './config';
import { USER_SERVICE_MAX_RECEIVE_BYTES } from './largest-requests';
import { USER_SERVICE_PEERS } from './users/peer-policy';
import { exitOnStartupError } from '@acme/config';
import { metricsOptionsFromEnv } from '@acme/telemetry';

async function main(): Promise<void> {
  const config = loadUserServiceConfig();
  await bootstrapGrpcService(AppModule.forRoot(config), {
    ...grpcServiceOptionsFromEnv(config, {
      services: [SERVICES.user],
      maxReceiveMessageBytes: USER_SERVICE_MAX_RECEIVE_BYTES,
      errorClassifiers: [classifyDatabaseError],
      peers: [USER_SERVICE_PEERS],
      // user-service calls no other service: nothing needs the request id or
      // the deadline below the handler, so it skips AsyncLocalStorage per call
      // (GetUser, the system's hottest call). Errors still log the request id.
      propagateCallContext: false,
    }),
    metrics: metricsOptionsFromEnv('user-service', config),
  });
}

main().catch(exitOnStartupError('user-service'));

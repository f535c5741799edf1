import './telemetry';
import 'reflect-metadata';
import { SERVICES } from '@acme/contracts';
import { bootstrapGrpcService, grpcServiceOptionsFromEnv } from '@acme/grpc-kit';
import { classifyDatabaseError } from '@acme/persistence';
import { AppModule } from './app.module';
import { loadOrderServiceConfig } from './config';
import { ORDER_SERVICE_MAX_RECEIVE_BYTES } from './orders/largest-requests';
import { ORDER_SERVICE_PEERS } from './orders/peer-policy';
import { exitOnStartupError } from '@acme/config';
import { metricsOptionsFromEnv } from '@acme/telemetry';

async function main(): Promise<void> {
  const config = loadOrderServiceConfig();
  await bootstrapGrpcService(AppModule.forRoot(config), {
    ...grpcServiceOptionsFromEnv(config, {
      services: [SERVICES.order],
      maxReceiveMessageBytes: ORDER_SERVICE_MAX_RECEIVE_BYTES,
      errorClassifiers: [classifyDatabaseError],
      peers: [ORDER_SERVICE_PEERS],
    }),
    metrics: metricsOptionsFromEnv('order-service', config),
  });
}

main().catch(exitOnStartupError('order-service'));

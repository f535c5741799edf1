import './telemetry';
import 'reflect-metadata';
import { exitOnStartupError } from '@acme/config';
import { metricsOptionsFromEnv } from '@acme/telemetry';
import { API_DESCRIPTION } from './api-description';
import { AppModule } from './app.module';
import { httpEdgeOptions, loadGatewayConfig } from './config';
import { bootstrapHttpGateway } from './http/bootstrap-http-gateway';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  await bootstrapHttpGateway(AppModule.forRoot(config), {
    ...httpEdgeOptions(config),
    drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    heapGrowingPercent: config.HEAP_GROWING_PERCENT,
    api: API_DESCRIPTION,
    metrics: metricsOptionsFromEnv('api-gateway', config),
  });
}

main().catch(exitOnStartupError('api-gateway'));

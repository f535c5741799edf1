import './telemetry';
import 'reflect-metadata';
import { exitOnStartupError } from '@acme/config';
import { metricsOptionsFromEnv } from '@acme/telemetry';
import { API_DESCRIPTION } from './api-description';
import { AppModule } from './app.module';
import { httpTimeouts, loadGatewayConfig } from './config';
import { bootstrapHttpGateway } from './http/bootstrap-http-gateway';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  await bootstrapHttpGateway(AppModule.forRoot(config), {
    host: config.HTTP_HOST,
    port: config.HTTP_PORT,
    drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    timeouts: httpTimeouts(config),
    corsAllowedOrigins: config.CORS_ALLOWED_ORIGINS,
    api: API_DESCRIPTION,
    metrics: metricsOptionsFromEnv('api-gateway', config),
  });
}

main().catch(exitOnStartupError('api-gateway'));

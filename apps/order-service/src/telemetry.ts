// Imported first by main.ts: tracing has to be set up before grpc-js, pg,
// amqplib, pino and fastify are first required, so that they are instrumented.
import { startTelemetry } from '@acme/telemetry';

startTelemetry('order-service');

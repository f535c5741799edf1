import { API_DESCRIPTION } from '../../src/api-description';
import { AppModule } from '../../src/app.module';
import { httpEdgeOptions, loadGatewayConfig } from '../../src/config';
import { bootstrapHttpGateway, type RunningHttpGateway } from '../../src/http/bootstrap-http-gateway';

/** The gateway in this test process, on a free port, talking real gRPC to the given services. */
export async function startGateway(env: Record<string, string>): Promise<RunningHttpGateway> {
  // One test process is one client: no rate limit unless a test asks for one (abuse-limits.spec.ts).
  const config = loadGatewayConfig({ HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '0', ...env });
  return bootstrapHttpGateway(AppModule.forRoot(config), {
    ...httpEdgeOptions(config),
    drainDelayMs: 0,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    api: API_DESCRIPTION,
    exitOnShutdown: false,
  });
}

import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { SERVICES } from '@acme/contracts';
import { GRPC_CHANNEL_CREDENTIALS, HealthClient, grpcStatusOf, statusName } from '@acme/grpc-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

export interface ReadinessReport {
  readonly ready: boolean;
  /** grpc.health.v1 status of each upstream, or the gRPC error code when it could not be asked. */
  readonly upstreams: Record<string, string>;
  /** Why it is not ready, for a person. */
  readonly reason?: string;
}

/**
 * Is the gateway worth sending traffic to? Only while it is not shutting down
 * and both upstreams answer grpc.health.v1 Check with SERVING within a short
 * deadline. One health channel per upstream, created once.
 */
@Injectable()
export class Readiness implements OnApplicationShutdown {
  private readonly logger = new Logger('Readiness');
  private readonly upstreams: readonly { name: string; service: string; client: HealthClient }[];
  private shuttingDown = false;
  private lastReady: boolean | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(GRPC_CHANNEL_CREDENTIALS) credentials: ChannelCredentials,
  ) {
    this.upstreams = [
      { name: 'user-service', service: SERVICES.user.typeName, client: new HealthClient(config.USER_SERVICE_URL, {}, credentials) },
      { name: 'order-service', service: SERVICES.order.typeName, client: new HealthClient(config.ORDER_SERVICE_URL, {}, credentials) },
    ];
  }

  /** From now on report not ready, so load balancers stop sending new requests while in-flight ones finish. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async check(): Promise<ReadinessReport> {
    const results = await Promise.all(
      this.upstreams.map(async ({ name, service, client }) => {
        try {
          return [name, await client.check(service, this.config.READINESS_TIMEOUT_MS)] as const;
        } catch (error) {
          const code = grpcStatusOf(error);
          return [name, code === undefined ? 'UNREACHABLE' : statusName(code)] as const;
        }
      }),
    );
    const upstreams = Object.fromEntries(results);
    const notServing = results.filter(([, status]) => status !== 'SERVING').map(([name, status]) => `${name} is ${status}`);
    const reason = this.shuttingDown ? 'the gateway is shutting down' : notServing.length > 0 ? notServing.join('; ') : undefined;
    const report = { ready: reason === undefined, upstreams, ...(reason ? { reason } : {}) };
    this.logChange(report);
    return report;
  }

  onApplicationShutdown(): void {
    for (const { client } of this.upstreams) client.close();
  }

  // Probes are not in the access log; a change of readiness is worth a line.
  private logChange(report: ReadinessReport): void {
    if (report.ready === this.lastReady) return;
    this.lastReady = report.ready;
    if (report.ready) this.logger.log('ready: both upstreams are SERVING');
    else this.logger.warn(`not ready: ${report.reason}`);
  }
}

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SERVICES } from '@acme/contracts';
import { createTestVhost, type TestVhost } from '@acme/messaging/testing';
import { freePort, freshTestDatabases, launchSystem, type ProcessEnv, type RunningSystem } from '@acme/testing';
import { GATEWAYS, REPLICAS_PER_APP, type ReplicatedApp } from '../plan/fault-schedule';
import { LatencyRelay } from './latency-relay';

export const GATEWAY = 'api-gateway';
/** The services' events exchange, named here so the run's poisoned message goes where their events go. */
export const EVENTS_EXCHANGE = 'acme.events';
/** The gRPC health service name of each replicated app (the readiness of a restarted or resumed replica). */
export const HEALTH_SERVICE: Readonly<Record<ReplicatedApp, string>> = { 'user-service': SERVICES.user.typeName, 'order-service': SERVICES.order.typeName };
/** One loopback host per user-service replica, so its relays can be set up before the replicas' ports are known to launchSystem. */
const USER_SERVICE_HOSTS = ['127.0.0.2', '127.0.0.3'];

/** The settings every process runs with: faults are noticed and repaired quickly, so a short run sees many. */
const CHAOS_ENV: ProcessEnv = {
  LOG_LEVEL: 'info',
  // Each replica mints and checks its own page tokens: one secret for the run, so a page from one is valid at another.
  PAGE_TOKEN_SECRET: randomBytes(32).toString('hex'),
  // All virtual clients share 127.0.0.1, which the gateway's per-client limit (600 a minute) would count as one client.
  RATE_LIMIT_MAX: '0',
  HEALTH_CHECK_INTERVAL_MS: '200',
  DATABASE_CONNECT_TIMEOUT_MS: '500',
  AMQP_RECONNECT_MAX_DELAY_MS: '500',
  OUTBOX_POLL_INTERVAL_MS: '200',
  AMQP_EXCHANGE: EVENTS_EXCHANGE,
  SHUTDOWN_DRAIN_DELAY_MS: '200',
};

/**
 * The system under the soak, from launchSystem: two replicas of each gRPC
 * service, GATEWAYS gateways, the development identity provider, fresh
 * databases for the run (dropped at the end) and a RabbitMQ vhost of its own
 * (deleted at the end). Proxies sit in front of each database and the broker
 * (cuts), and a latency relay in front of each user-service replica, which
 * order-service and the gateways dial instead of the replicas themselves.
 */
export class ChaosSystem {
  private constructor(
    readonly system: RunningSystem,
    readonly vhost: TestVhost,
    readonly userRelays: readonly LatencyRelay[],
  ) {}

  static async start(logDir: string): Promise<ChaosSystem> {
    const vhost = await createTestVhost('chaos');
    const relays: LatencyRelay[] = [];
    try {
      const userPort = await freePort();
      for (const host of USER_SERVICE_HOSTS) relays.push(await LatencyRelay.start({ host, port: userPort }));
      const viaRelays = { USER_SERVICE_URL: `ipv4:${relays.map((relay) => `127.0.0.1:${relay.port}`).join(',')}` };
      const system = await launchSystem({
        apps: ['user-service', 'order-service', GATEWAY],
        replicas: {
          'user-service': { hosts: USER_SERVICE_HOSTS },
          'order-service': { count: REPLICAS_PER_APP },
          [GATEWAY]: { count: GATEWAYS },
        },
        ports: { 'user-service': userPort },
        databases: freshTestDatabases('chaos'),
        brokerUrl: vhost.url,
        proxies: { databasesOf: ['user-service', 'order-service'], broker: true },
        env: CHAOS_ENV,
        appEnv: { 'order-service': viaRelays, [GATEWAY]: viaRelays },
        output: (name) => ({ file: join(logDir, `${name.replace(/[^\w.@-]+/g, '_')}.log`) }),
      });
      return new ChaosSystem(system, vhost, relays);
    } catch (error) {
      await Promise.allSettled(relays.map((relay) => relay.stop()));
      await vhost.delete();
      throw error;
    }
  }

  /** The gateways' base URLs. */
  get gateways(): string[] {
    return Array.from({ length: GATEWAYS }, (_, i) => `http://${this.system.address(GATEWAY, i)}`);
  }

  /** Every process that runs for the whole soak unless a fault replaces it, by name. */
  processes() {
    return this.system.apps.flatMap((app) => this.system.processes(app));
  }

  replicaName(app: ReplicatedApp, replica: number): string {
    return `${app}@${this.system.address(app, replica)}`;
  }

  async stop(): Promise<void> {
    // A replica frozen by a stall when the run is interrupted would not act on SIGTERM until let go on.
    for (const replica of this.processes()) if (replica.running) replica.child.kill('SIGCONT');
    await this.system.stop();
    await Promise.allSettled(this.userRelays.map((relay) => relay.stop()));
    await this.vhost.delete();
  }
}

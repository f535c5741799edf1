import type { BrokerNames } from './broker-registration';
import type { ServiceNames } from './service-names';
import type { UpstreamCall } from './upstream-calls';

/** What the deployment files call one generated service, beside its ServiceNames. */
export interface DeploymentNames {
  readonly app: string;
  /** The prefix of its compose services, volumes and networks, e.g. inventory (inventory-db, inventory-migrate). */
  readonly prefix: string;
  /** Its own database's host in compose and the dev cluster, e.g. inventory-db. */
  readonly databaseHost: string;
  /** The database (and its Postgres user), e.g. acme_inventory. */
  readonly databaseName: string;
  /** e.g. INVENTORY: its variables in docker-compose.yml and .env.example. */
  readonly constantName: string;
  readonly grpcTypeName: string;
  readonly port: number;
  /**
   * The plaintext grpc.health.v1 port the kubelet's probes ask under mTLS:
   * ten above the service port, as user-service's 50061 beside 50051.
   */
  readonly healthPort: number;
  readonly database: boolean;
  /** With --events: its broker user and queues. */
  readonly broker: BrokerNames | undefined;
  /** With --calls: the service it calls. */
  readonly calls: UpstreamCall | undefined;
}

export const HEALTH_PORT_OFFSET = 10;

export function deploymentNames(
  n: ServiceNames,
  port: number,
  database: boolean,
  databaseName: string,
  broker?: BrokerNames,
  calls?: UpstreamCall,
): DeploymentNames {
  return {
    app: n.app,
    prefix: n.domain,
    databaseHost: `${n.domain}-db`,
    databaseName,
    constantName: n.constantName,
    grpcTypeName: n.grpcTypeName,
    port,
    healthPort: port + HEALTH_PORT_OFFSET,
    database,
    broker,
    calls,
  };
}

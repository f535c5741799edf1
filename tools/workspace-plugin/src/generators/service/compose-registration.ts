import type { Tree } from '@nx/devkit';
import { isScalar, type YAMLMap } from 'yaml';
import { amqpUrl } from './broker-registration';
import type { DeploymentNames } from './deployment-names';
import { editSource, insertAfterLastLine } from './source-edits';
import { editYamlDocument, insertItems, insertPairs, mapAt, seqAt } from './yaml-edits';

// The new service in docker-compose.yml, shaped like user-service there: its
// image's build anchor, with --database its Postgres and one-shot migration
// on a network of their own, the service (health through grpc.health.v1, the
// start order, loopback-only debug port, the limits its Kubernetes container
// has), its certificate from `certs` in a volume only it mounts; the
// variables it reads in .env.example, its Prometheus job.

export const COMPOSE = {
  file: 'docker-compose.yml',
  env: '.env.example',
  prometheus: 'deploy/observability/prometheus/prometheus.compose.yml',
} as const;

/** The YAML of the new compose services, as user-service's are written (aliases to the file's anchors). */
function services(d: DeploymentNames): string {
  const { app, prefix, databaseHost, databaseName, constantName, port, grpcTypeName } = d;
  const password = `\${${constantName}_DB_PASSWORD:-dev-only-${databaseHost}-password}`;
  const databaseUrl = `postgres://${databaseName}:${password}@${databaseHost}:5432/${databaseName}`;
  const database = `# --- ${app} ${'-'.repeat(Math.max(3, 72 - app.length))}
${databaseHost}:
  <<: *postgres
  environment:
    POSTGRES_USER: ${databaseName}
    POSTGRES_PASSWORD: ${password}
    POSTGRES_DB: ${databaseName}
  volumes:
    - ${databaseHost}-data:/var/lib/postgresql/data
  networks: [${prefix}-data]
  healthcheck:
    # TCP, not the socket: during first-time init the server listens on the
    # socket only, and must not look ready then.
    test: [CMD, pg_isready, -h, 127.0.0.1, -U, ${databaseName}, -d, ${databaseName}]
    interval: 2s
    timeout: 3s
    retries: 30

${prefix}-migrate:
  <<: *migrate
  build: *${app}-build
  image: \${IMAGE_PREFIX:-acme}/${app}:\${IMAGE_TAG:-local}
  environment:
    <<: *development
    DATABASE_URL: ${databaseUrl}
  networks: [${prefix}-data]
  depends_on:
    ${databaseHost}:
      condition: service_healthy

`;
  const upstream = d.calls
    ? `
    # dns:/// + round_robin: calls spread over every ${d.calls.app} replica
    # that Docker's DNS returns.
    ${d.calls.urlVar}: dns:///${d.calls.app}:${d.calls.port}
    ${d.calls.deadlineVar}: \${${d.calls.deadlineVar}:-${d.calls.deadlineMs}}`
    : '';
  const broker = d.broker
    ? `
    # Its own broker user: publishes to acme.events, consumes (and
    # dead-letters) its queue ${d.broker.queue}.
    AMQP_URL: ${amqpUrl(d.broker)}`
    : '';
  const dependsOn = [
    ...(d.calls ? [`    ${d.calls.app}:\n      condition: service_healthy`] : []),
    ...(d.broker ? ['    rabbitmq:\n      condition: service_healthy'] : []),
  ].join('\n');
  const networks = [...(d.database ? [`${prefix}-data`] : []), 'services', ...(d.broker ? ['messaging'] : []), 'metrics', 'telemetry'];
  return `${d.database ? database : `# --- ${app} ${'-'.repeat(Math.max(3, 72 - app.length))}\n`}${app}:
  <<: ${d.broker ? '*event-app' : '*app'}
  build: *${app}-build
  image: \${IMAGE_PREFIX:-acme}/${app}:\${IMAGE_TAG:-local}
  volumes:
    - ${app}-tls:/etc/acme/tls:ro
  environment:
    <<: [*development, *telemetry, *mtls]
    GRPC_PORT: "${port}"
    LOG_LEVEL: \${LOG_LEVEL:-info}
    LOG_FORMAT: \${LOG_FORMAT:-json}${d.database ? `\n    DATABASE_URL: ${databaseUrl}` : ''}
    GRPC_MAX_CONNECTION_AGE_MS: \${GRPC_MAX_CONNECTION_AGE_MS:-60000}${upstream}${broker}
  networks: [${networks.join(', ')}]
  # For debugging with grpcurl / buf curl (mTLS: with a service's
  # certificate, see README); localhost only.
  ports:
    - 127.0.0.1:\${${constantName}_SERVICE_DEBUG_PORT:-${port}}:${port}
  healthcheck:
    # The probe presents the service's own certificate (GRPC_TLS_* above); grpc.health.v1 is open to every certificate of the CA.
    test: [CMD, node, /app/libs/grpc-kit/dist/cli/grpc-health-probe.js, 127.0.0.1:${port}, ${grpcTypeName}]
    interval: 3s
    timeout: 3s
    retries: 10
    start_period: 10s
  depends_on:
    certs:
      condition: service_completed_successfully${
      d.database
        ? `
    ${databaseHost}:
      condition: service_healthy
    ${prefix}-migrate:
      condition: service_completed_successfully`
        : ''
    }
    identity-provider:
      condition: service_healthy${dependsOn ? `\n${dependsOn}` : ''}
`;
}

const firstKeySpaced = (map: YAMLMap, key: string) => {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.spaceBefore = true;
};

export function registerCompose(tree: Tree, d: DeploymentNames): void {
  const { app, prefix, databaseHost, constantName, port } = d;
  const path = COMPOSE.file;
  editYamlDocument(tree, path, (doc) => {
    const top = mapAt(path, doc, []);
    insertPairs(
      path,
      top,
      `x-${app}-build: &${app}-build\n  context: .\n  dockerfile: Dockerfile\n  args:\n    <<: *image-labels\n    APP: ${app}\n`,
      /^x-.+-service-build$/,
    );
    firstKeySpaced(top, `x-${app}-build`);

    const all = mapAt(path, doc, ['services']);
    insertPairs(path, all, services(d), /^[a-z0-9-]+-service$/);
    firstKeySpaced(all, d.database ? databaseHost : app);

    // Its certificate: issued by `certs` into a volume only it (and certs) mounts.
    insertItems(path, seqAt(path, doc, ['services', 'certs', 'command']), `- ${app}`, (item) => /-service$/.test(String(item)));
    insertItems(path, seqAt(path, doc, ['services', 'certs', 'volumes']), `- ${app}-tls:/certs/${app}`, (item) => /-service-tls:/.test(String(item)));

    if (d.database) insertPairs(path, mapAt(path, doc, ['networks']), `${prefix}-data:\n  internal: true\n`, /-data$/);
    const volumes = mapAt(path, doc, ['volumes']);
    insertPairs(path, volumes, `${app}-tls: {}\n`, /-service-tls$/);
    if (d.database) insertPairs(path, volumes, `${databaseHost}-data: {}\n`, /-db-data$/);
  });

  editSource(tree, COMPOSE.env, (text) => {
    let edited = insertAfterLastLine(COMPOSE.env, text, /^[A-Z0-9_]+_SERVICE_DEBUG_PORT=\d+$/, `${constantName}_SERVICE_DEBUG_PORT=${port}`);
    if (d.database) edited = insertAfterLastLine(COMPOSE.env, edited, /^[A-Z0-9_]+_DB_PASSWORD=.*$/, `${constantName}_DB_PASSWORD=dev-only-${databaseHost}-password`);
    // The deadline of its calls upstream, where no other caller of that service has put it already.
    if (d.calls && !new RegExp(`^${d.calls.deadlineVar}=`, 'm').test(edited)) {
      edited = insertAfterLastLine(
        COMPOSE.env,
        edited,
        /^[A-Z0-9_]+_SERVICE_DEADLINE_MS=\d+$/,
        `# Deadline of each call ${app} makes to ${d.calls.app}.\n${d.calls.deadlineVar}=${d.calls.deadlineMs}`,
      );
    }
    return edited;
  });

  editYamlDocument(tree, COMPOSE.prometheus, (doc) => {
    insertItems(
      COMPOSE.prometheus,
      seqAt(COMPOSE.prometheus, doc, ['scrape_configs']),
      `- job_name: ${app}\n  dns_sd_configs:\n    - names: [${app}]\n      type: A\n      port: 9464\n`,
      (item) => /-service$/.test(String((item as { job_name?: string }).job_name ?? '')),
    );
  });
}

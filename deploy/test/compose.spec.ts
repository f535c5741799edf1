import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composePolicy, composeSchemaErrors, dockerComposeConfig, parseCompose, type ComposeFile } from '../src/compose-checks';
import { collectorEndpoint, composeObservabilityPolicy } from '../src/compose-observability';
import { composeResourcePolicy } from '../src/compose-resources';
import { composePrefix, databaseHost, deployedAppNames, deployedApps } from '../src/deployed-apps';
import { renderOverlay } from '../src/kustomize';
import { repoPath } from '../src/repo';

const COMPOSE_FILE = repoPath('docker-compose.yml');
const text = readFileSync(COMPOSE_FILE, 'utf8');
const compose = (): ComposeFile => parseCompose(text);
// What README tells a user to set with the observability profile.
const withTraces = () => ({ TRACES_OTLP_ENDPOINT: collectorEndpoint(compose()) ?? 'no collector' });

describe('docker-compose.yml', () => {
  it('validates against the current compose-spec schema', () => {
    expect(composeSchemaErrors(compose())).toEqual([]);
  });

  it('is accepted by docker-compose 1.29 (config -q)', () => {
    expect(dockerComposeConfig(COMPOSE_FILE)).toEqual({ ok: true, output: '' });
  });

  it('keeps the rules: health, start order, loopback-only ports, one database per service, the broker on its own network', () => {
    expect(composePolicy(compose())).toEqual([]);
  });

  it('serves every service\'s metrics to Prometheus only, and exports traces to the collector only when asked', () => {
    expect(withTraces()).toEqual({ TRACES_OTLP_ENDPOINT: 'http://otel-collector:4318' });
    expect(composeObservabilityPolicy(compose(), withTraces())).toEqual([]);
  });

  it('limits every container to the memory and CPU its Kubernetes counterpart gets', () => {
    expect(composeResourcePolicy(compose(), renderOverlay('dev'))).toEqual([]);
  });

  it('declares itself a development stack: the images refuse its dev-only credentials otherwise', () => {
    for (const [name, service] of Object.entries(compose().services)) {
      const usesDevelopmentValues = Object.values(service.environment ?? {}).some((v) => String(v).includes('dev-only'));
      if (usesDevelopmentValues && service.build) expect(`${name}: ${service.environment?.['DEPLOYMENT_ENVIRONMENT']}`).toBe(`${name}: development`);
    }
  });

  it('runs every service and its migration, each after its own database', () => {
    const services = compose().services;
    // Every app of the deployment is a compose service; those with a database (their manifests say which) migrate it first.
    expect(Object.keys(services)).toEqual(expect.arrayContaining(deployedAppNames()));
    for (const { name } of deployedApps().filter((app) => app.database)) {
      const migrate = `${composePrefix(name)}-migrate`;
      expect(services[migrate]?.command).toEqual(['node', 'dist/migrate.js']);
      expect(services[migrate]?.image).toBe(services[name]?.image);
      expect(Object.keys(services[name]?.depends_on ?? {})).toEqual(expect.arrayContaining([databaseHost(name), migrate]));
    }
  });

  it('documents every variable it reads in .env.example, with the same default', () => {
    const defaults = new Map([...text.matchAll(/\$\{(\w+):-([^}]*)\}/g)].map((m) => [m[1]!, m[2]!]));
    const used = new Set([...text.matchAll(/\$\{(\w+)/g)].map((m) => m[1]!));
    const example = new Map(
      [...readFileSync(repoPath('.env.example'), 'utf8').matchAll(/^(\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect([...example.keys()].sort()).toEqual([...used].sort());
    for (const [name, value] of defaults) expect(`${name}=${example.get(name)}`).toBe(`${name}=${value}`);
  });
});

describe('the compose checks fail on', () => {
  const broken = (change: (c: ComposeFile) => void): ComposeFile => {
    const c = compose();
    change(c);
    return c;
  };

  it('a container without limits, or with limits other than in Kubernetes', () => {
    const c = broken((x) => {
      delete x.services['api-gateway']!['mem_limit'];
      x.services['order-service']!['cpus'] = 2;
      x.services['user-migrate']!['mem_limit'] = '1g';
    });
    expect(composeResourcePolicy(c, renderOverlay('dev')).sort()).toEqual([
      'service api-gateway: no mem_limit',
      'service order-service: cpus 2 differs from its Kubernetes limit 1',
      'service user-migrate: mem_limit 1g differs from its Kubernetes limit 192Mi',
    ]);
  });

  it('a development stand-in whose limits differ from its dev-cluster counterpart, or a container taken for one', () => {
    const c = broken((x) => {
      x.services['identity-provider']!['mem_limit'] = '512m';
      delete x.services['certs']!.labels;
    });
    expect(composeResourcePolicy(c, renderOverlay('dev')).sort()).toEqual([
      'service certs: no matching container in the Kubernetes manifests to take its limits from',
      'service identity-provider: mem_limit 512m differs from its Kubernetes limit 256Mi',
    ]);
    const unlabelled = broken((x) => delete x.services['identity-provider']!.labels);
    expect(composeObservabilityPolicy(unlabelled, withTraces()).sort()).toEqual([
      'service identity-provider: serves no metrics (METRICS_PORT unset)',
      'service identity-provider: shares no network with otel-collector',
      'service identity-provider: with {"TRACES_OTLP_ENDPOINT":"http://otel-collector:4318"} it exports traces to nowhere, not the collector http://otel-collector:4318',
    ]);
  });

  it('a misspelled key (schema)', () => {
    const c = broken((x) => {
      x.services['user-service']!['healtcheck'] = x.services['user-service']!.healthcheck;
    });
    expect(composeSchemaErrors(c)).toContain('/services/user-service must NOT have additional properties "healtcheck"');
  });

  it('a file docker-compose 1.29 rejects', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-check-'));
    try {
      const file = join(dir, 'docker-compose.yml');
      writeFileSync(file, `name: acme\n${text}`);
      const result = dockerComposeConfig(file);
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/name/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a port published beyond loopback or on a port the machine holds', () => {
    const c = broken((x) => {
      x.services['user-service']!.ports = ['50051:50051'];
      x.services['user-db']!.ports = ['127.0.0.1:5432:5432'];
    });
    expect(composePolicy(c).sort()).toEqual([
      'service user-db: publishes host port 5432, which the machine\'s own services hold',
      'service user-service: publishes "50051:50051" beyond 127.0.0.1',
    ]);
  });

  it('a service without a gRPC healthcheck, or started without waiting', () => {
    const c = broken((x) => {
      x.services['order-service']!.healthcheck = { test: ['CMD', 'bash', '-c', 'echo > /dev/tcp/127.0.0.1/50052'] };
      x.services['order-service']!.depends_on = ['order-db', 'order-migrate', 'user-service'];
    });
    expect(composePolicy(c).sort()).toEqual([
      'service order-migrate: one-shot, but no service waits for it with condition service_completed_successfully',
      'service order-service: a gRPC service must be checked through grpc.health.v1 (grpc-health-probe), not a port',
      'service order-service: depends on order-db with condition (none), expected service_healthy',
      'service order-service: depends on order-migrate with condition (none), expected service_completed_successfully',
      'service order-service: depends on user-service with condition (none), expected service_healthy',
      'service order-service: does not wait for rabbitmq',
    ]);
  });

  it('a database shared between services or reachable by another service', () => {
    const c = broken((x) => {
      x.services['order-service']!.environment!['DATABASE_URL'] = 'postgres://acme_users:pw@user-db:5432/acme_users';
    });
    expect(composePolicy(c)).toEqual(
      expect.arrayContaining(['services user-service and order-service share the database user-db']),
    );
  });

  it('a broker reachable by a service that needs none, exposed, or without its own identity and volume', () => {
    const c = broken((x) => {
      x.services['api-gateway']!.networks = ['services', 'messaging'];
      x.networks!['messaging'] = {};
      x.services['rabbitmq']!.ports = ['127.0.0.1:15672:15672'];
      delete x.services['rabbitmq']!.hostname;
      x.services['rabbitmq']!.volumes = x.services['rabbitmq']!.volumes!.filter((v) => !String(v).startsWith('rabbitmq-data:'));
    });
    expect(composePolicy(c).sort()).toEqual([
      'network messaging of rabbitmq is not internal',
      'service api-gateway can reach rabbitmq (network messaging) but publishes and consumes no events',
      'service rabbitmq: no fixed hostname; RabbitMQ keeps its data under its node name rabbit@<hostname>',
      'service rabbitmq: no named volume at /var/lib/rabbitmq',
      'service rabbitmq: publishes ports; the broker is reached only over its internal network',
    ]);
  });

  it('an event service that cannot reach the broker, starts before it, or is stopped before its last batch is confirmed', () => {
    const c = broken((x) => {
      const order = x.services['order-service']!;
      order.networks = ['order-data', 'services'];
      delete (order.depends_on as Record<string, unknown>)['rabbitmq'];
      order.stop_grace_period = '15s';
      x.services['user-service']!.environment!['AMQP_URL'] = 'amqp://user-service:pw@user-db:5432/acme';
      x.services['user-service']!.environment!['AMQP_CONFIRM_TIMEOUT_MS'] = 'soon';
    });
    expect(composePolicy(c).sort()).toEqual([
      'service order-service: does not wait for rabbitmq',
      'service order-service: shares no network with rabbitmq',
      'service order-service: stop_grace_period 15 s does not exceed the shutdown budget of 25 s (SHUTDOWN_DRAIN_DELAY_MS 0 s + SHUTDOWN_GRACE_MS 10 s + AMQP_CONFIRM_TIMEOUT_MS 10 s + DATABASE_STATEMENT_TIMEOUT_MS 5 s)',
      'service user-service: AMQP_URL host user-db is not a rabbitmq service of this file',
    ]);
    const slow = broken((x) => (x.services['user-service']!.environment!['AMQP_CONFIRM_TIMEOUT_MS'] = 'soon'));
    expect(composePolicy(slow)).toEqual([expect.stringMatching(/^service user-service: unusable shutdown settings: AMQP_CONFIRM_TIMEOUT_MS: /)]);
  });

  it('a metrics port published, not scraped, or shared with a service that has no business there', () => {
    const c = broken((x) => {
      x.services['api-gateway']!.ports!.push('127.0.0.1:9464:9464');
      x.services['order-service']!.environment!['METRICS_PORT'] = '9465';
      delete x.services['user-service']!.environment!['METRICS_PORT'];
      x.services['rabbitmq']!.networks = ['messaging', 'metrics'];
    });
    expect(composeObservabilityPolicy(c, withTraces()).sort()).toEqual([
      'service api-gateway: publishes its metrics port 9464',
      'service order-service: Prometheus (./deploy/observability/prometheus/prometheus.compose.yml) does not scrape order-service:9465',
      'service rabbitmq shares network metrics with prometheus but serves no metrics',
      'service user-service shares network metrics with prometheus but serves no metrics',
      'service user-service: serves no metrics (METRICS_PORT unset)',
    ]);
  });

  it('traces exported without the profile, past the collector, or the collector reachable by others', () => {
    const c = broken((x) => {
      x.services['api-gateway']!.environment!['OTEL_EXPORTER_OTLP_ENDPOINT'] = 'http://otel-collector:4318';
      x.services['user-service']!.environment!['OTEL_EXPORTER_OTLP_ENDPOINT'] = '${TRACES_OTLP_ENDPOINT:-}/v1';
      x.services['order-service']!.networks = ['order-data', 'services', 'messaging', 'metrics'];
      x.services['user-db']!.networks = ['user-data', 'telemetry'];
      x.services['otel-collector']!.ports = ['127.0.0.1:4318:4318'];
    });
    expect(composeObservabilityPolicy(c, withTraces()).sort()).toEqual([
      'service api-gateway: exports traces to http://otel-collector:4318 even without the profile (an exporter with nowhere to send logs errors)',
      'service order-service: shares no network with otel-collector',
      'service otel-collector: publishes ports; only the services reach it',
      'service user-db shares network telemetry with otel-collector but exports no traces',
      'service user-service: exports traces to /v1 even without the profile (an exporter with nowhere to send logs errors)',
      'service user-service: with {"TRACES_OTLP_ENDPOINT":"http://otel-collector:4318"} it exports traces to http://otel-collector:4318/v1, not the collector http://otel-collector:4318',
    ]);
  });

  it('an observability container less confined than the apps, or an app moved into the profile', () => {
    const c = broken((x) => {
      x.services['grafana']!.read_only = false;
      delete x.services['jaeger']!.cap_drop;
      x.services['api-gateway']!['profiles'] = ['observability'];
    });
    expect(composeObservabilityPolicy(c, withTraces()).sort()).toEqual([
      'service api-gateway: built from this repository but in profile observability; plain `up` must start the whole system',
      'service grafana: observability containers run read_only, with cap_drop [ALL] and no-new-privileges',
      'service jaeger: observability containers run read_only, with cap_drop [ALL] and no-new-privileges',
    ]);
  });

  it('a bind mount whose source is not in the repository', () => {
    const c = broken((x) => x.services['rabbitmq']!.volumes!.push('./deploy/rabbitmq/missing.conf:/etc/rabbitmq/conf.d/99.conf:ro'));
    expect(composePolicy(c)).toEqual(['service rabbitmq: mounts ./deploy/rabbitmq/missing.conf, which does not exist']);
  });
});

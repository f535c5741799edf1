import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { OVERLAYS, ref, renderOverlay, type K8sObject, type Overlay } from '../src/kustomize';
import { validateAgainstSchema } from '../src/k8s-schema';
import {
  autoscalingPolicy,
  containerPolicy,
  headlessGrpcPolicy,
  probePortPolicy,
  prodPolicy,
  servicePolicy,
  shutdownPolicy,
  topologyPolicy,
  volumeOwnershipPolicy,
} from '../src/k8s-policy';
import { egressCidrs, permittedConnections } from '../src/network-graph';
import { containerEnv, workloads } from '../src/workloads';
import { mtlsWiringPolicy } from '../src/mtls-wiring';
import { identityPolicy } from '../src/identity-wiring';
import { registeredApp } from '@acme/testing';
import { databaseHost, deployedApps, edgeApps, grpcServices, issuerApp, systemAppNames } from '../src/deployed-apps';
import { repoPath } from '../src/repo';

// The connections the system needs, and only those, derived from what each
// app's launch manifest says it needs (deploy/src/deployed-apps.ts): the
// checks cover a generated service without being edited. "outside" is a
// client outside the namespace (the ingress controller), "dns" is kube-dns,
// "external" an address outside the cluster (prod's managed databases and
// event broker, and its OIDC issuer). Only the services that publish or
// consume events reach the broker: AMQP on 5672 in the dev cluster, AMQPS on
// 5671 outside it in prod. Every app fetches the token issuer's keys: the
// development provider's HTTP port in dev, HTTPS outside the cluster in prod.
const DNS = (from: string) => [`${from} -> dns:53/TCP`, `${from} -> dns:53/UDP`];
const APPS = deployedApps();
const APP_NAMES = APPS.map((app) => app.name);
const GRPC_SERVICES = grpcServices().map((app) => app.name);
const WITH_DATABASE = APPS.filter((app) => app.database);
const WITH_BROKER = APPS.filter((app) => app.broker);
const ISSUER = issuerApp();
const BROKER = 'rabbitmq';
const PORTS = { postgres: 5432, amqp: 5672, amqps: 5671, https: 443 };
const portOf = (name: string) => APPS.find((app) => app.name === name)!.port;
// The dev overlay's observability component (k8s/components/observability):
// Prometheus scrapes each app's metrics port, each app exports OTLP/HTTP to
// the collector, the collector to Jaeger, Grafana queries Prometheus and Jaeger.
const METRICS_PORT = 9464;
const OBSERVABILITY = [
  ...APP_NAMES.map((app) => `prometheus -> ${app}:${METRICS_PORT}/TCP`),
  ...APP_NAMES.map((app) => `${app} -> otel-collector:4318/TCP`),
  'otel-collector -> jaeger:4317/TCP',
  'grafana -> prometheus:9090/TCP',
  'grafana -> jaeger:16686/TCP',
  ...['otel-collector', 'jaeger', 'prometheus', 'grafana'].flatMap(DNS),
];
/** The edges between the apps: from outside to the edge, and each app to those it calls. */
const CALLS = [
  ...edgeApps().map((app) => `outside -> ${app.name}:${app.port}/TCP`),
  ...APPS.flatMap((app) => app.calls.map((upstream) => `${app.name} -> ${upstream}:${portOf(upstream)}/TCP`)),
];
const EXPECTED_CONNECTIONS: Record<Overlay, string[]> = {
  dev: [
    ...CALLS,
    ...WITH_DATABASE.map((app) => `${app.name} -> ${databaseHost(app.name)}:${PORTS.postgres}/TCP`),
    ...WITH_BROKER.map((app) => `${app.name} -> ${BROKER}:${PORTS.amqp}/TCP`),
    ...APP_NAMES.map((app) => `${app} -> ${ISSUER.name}:${ISSUER.port}/TCP`),
    ...[...APP_NAMES, ...WITH_DATABASE.map((app) => databaseHost(app.name)), ...(WITH_BROKER.length > 0 ? [BROKER] : []), ISSUER.name].flatMap(DNS),
    ...OBSERVABILITY,
  ].sort(),
  prod: [
    ...CALLS,
    ...WITH_DATABASE.map((app) => `${app.name} -> external:${PORTS.postgres}/TCP`),
    ...WITH_BROKER.map((app) => `${app.name} -> external:${PORTS.amqps}/TCP`),
    ...APP_NAMES.map((app) => `${app} -> external:${PORTS.https}/TCP`),
    ...APP_NAMES.flatMap(DNS),
  ].sort(),
};

describe('the deployment', () => {
  it('runs every registered app but the token issuer, each from its own k8s/base/<app>/ in k8s/base/kustomization.yaml', () => {
    expect(APP_NAMES).toEqual(systemAppNames());
    const base = parse(readFileSync(repoPath('k8s/base/kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect(base.resources.filter((r) => !r.endsWith('.yaml')).sort()).toEqual(APP_NAMES);
  });
});

describe.each(OVERLAYS)('k8s/overlays/%s', (overlay) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = renderOverlay(overlay);
  });

  it('renders a Deployment, Service, HPA and PDB for every app, all in one namespace', () => {
    const refs = objects.map(ref);
    for (const name of APP_NAMES) {
      expect(refs).toEqual(expect.arrayContaining([`Deployment/${name}`, `HorizontalPodAutoscaler/${name}`, `PodDisruptionBudget/${name}`]));
    }
    for (const name of GRPC_SERVICES) expect(refs).toContain(`Service/${name}-headless`);
    for (const edge of edgeApps()) {
      const gateway = objects.find((o) => ref(o) === `Service/${edge.name}`) as { spec?: { type?: string; clusterIP?: string } } | undefined;
      expect(gateway?.spec).toMatchObject({ type: 'ClusterIP' });
      expect(gateway?.spec?.clusterIP).toBeUndefined();
    }
    const namespaces = new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace));
    expect([...namespaces]).toEqual([overlay === 'dev' ? 'acme-dev' : 'acme']);
  });

  it('every object validates against the Kubernetes schema of its apiVersion/kind, unknown fields included', () => {
    expect(objects.flatMap(validateAgainstSchema)).toEqual([]);
  });

  it('every container has probes, requests and limits and the restricted security context', () => {
    expect(containerPolicy(objects)).toEqual([]);
  });

  it('volumes keep the owner-only files their servers create (fsGroup applied at the first mount only)', () => {
    expect(volumeOwnershipPolicy(objects)).toEqual([]);
  });

  it('every probe targets a port its container declares', () => {
    expect(probePortPolicy(objects)).toEqual([]);
  });

  it('every Service selects existing pods on declared ports', () => {
    expect(servicePolicy(objects)).toEqual([]);
  });

  it('gRPC servers are reached through headless Services (client-side round_robin)', () => {
    expect(headlessGrpcPolicy(objects)).toEqual([]);
  });

  it('every Deployment has one autoscaling/v2 HPA and one policy/v1 PodDisruptionBudget', () => {
    expect(autoscalingPolicy(objects)).toEqual([]);
  });

  it('replicas spread across nodes', () => {
    expect(topologyPolicy(objects)).toEqual([]);
  });

  it('NetworkPolicies permit exactly the designed connections plus DNS', () => {
    expect(permittedConnections(objects)).toEqual(EXPECTED_CONNECTIONS[overlay]);
  });

  it('every app verifies tokens with the configuration it accepts at boot, from one issuer, audience and roles claim, and reaches that issuer', () => {
    expect(identityPolicy(objects)).toEqual([]);
  });

  it('shutdown (drain, in-flight calls, the last event batch) fits in the termination grace period', () => {
    expect(shutdownPolicy(objects)).toEqual([]);
  });

  it('runs mTLS: each app reads the Secret its Certificate writes, with the SPIFFE ID its peers expect and the DNS name its callers dial; gRPC probes use the plaintext health port', () => {
    expect(mtlsWiringPolicy(objects)).toEqual([]);
    const uris = objects.filter((o) => o.kind === 'Certificate' && o.metadata.name !== 'acme-ca').flatMap((o) => (o['spec'] as { uris: string[] }).uris);
    const namespace = overlay === 'dev' ? 'acme-dev' : 'acme';
    expect(uris.sort()).toEqual(APP_NAMES.map((app) => `spiffe://acme.internal/ns/${namespace}/sa/${app}`));
  });
});

describe('the mtls component per overlay', () => {
  it('dev bootstraps its CA with cert-manager (self-signed); prod signs with the Secret acme-ca the operator supplies and commits no CA', () => {
    const dev = renderOverlay('dev');
    const devCa = dev.find((o) => o.kind === 'Certificate' && o.metadata.name === 'acme-ca')?.['spec'] as { isCA?: boolean; secretName?: string; issuerRef?: { name?: string } };
    expect(devCa).toMatchObject({ isCA: true, secretName: 'acme-ca', issuerRef: { name: 'acme-selfsigned' } });
    expect(dev.find((o) => o.kind === 'Issuer' && o.metadata.name === 'acme-selfsigned')?.['spec']).toEqual({ selfSigned: {} });
    const prod = renderOverlay('prod');
    expect(prod.filter((o) => o.kind === 'Issuer').map((o) => [o.metadata.name, o['spec']])).toEqual([['acme-ca', { ca: { secretName: 'acme-ca' } }]]);
    expect(prod.some((o) => o.metadata.name === 'acme-ca' && o.kind !== 'Issuer')).toBe(false);
  });
});

describe('k8s/overlays/prod', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = renderOverlay('prod');
  });

  it('runs 2+ replicas, uses external databases and carries no secret value', () => {
    expect(prodPolicy(objects)).toEqual([]);
  });

  it('lets each service reach only its own database address, the broker address on AMQPS, and every app the issuer address on HTTPS', () => {
    const destinations = egressCidrs(objects);
    expect([...destinations.keys()].sort()).toEqual(APP_NAMES);
    const databases = WITH_DATABASE.map((app) => destinations.get(app.name)!.filter((d) => d.endsWith(`:${PORTS.postgres}/TCP`)));
    for (const own of databases) expect(own).toHaveLength(1);
    expect(new Set(databases.flat()).size).toBe(WITH_DATABASE.length);
    const brokers = WITH_BROKER.map((app) => destinations.get(app.name)!.filter((d) => d.endsWith(`:${PORTS.amqps}/TCP`)));
    for (const broker of brokers) expect(broker).toEqual([expect.stringMatching(/^[\d.]+\/\d+:5671\/TCP$/)]);
    expect(new Set(brokers.flat()).size).toBe(1);
    const issuers = APP_NAMES.map((app) => destinations.get(app)!.filter((d) => d.endsWith(':443/TCP')));
    for (const issuer of issuers) expect(issuer).toEqual([expect.stringMatching(/^[\d.]+\/\d+:443\/TCP$/)]);
    expect(new Set(issuers.flat()).size).toBe(1);
    // The edge reaches nothing outside but the issuer.
    for (const edge of edgeApps()) expect(destinations.get(edge.name)).toEqual(issuers[0]);
    expect([...destinations.values()].flat().every((d) => /:(5432|5671|443)\/TCP$/.test(d))).toBe(true);
    expect([...destinations.values()].flat().some((d) => d.startsWith('0.0.0.0/0'))).toBe(false);
  });

  it('requires a verified token on every call, from an external issuer over https, and runs no development provider', () => {
    expect(authSettings(objects)).toEqual(
      Object.fromEntries(APP_NAMES.map((app) => [app, { AUTH_MODE: 'jwt', AUTH_ISSUER: 'https://login.example.com/realms/acme' }])),
    );
    expect(objects.filter((o) => o.metadata.name.startsWith(ISSUER.name)).map(ref)).toEqual([]);
  });

  it('runs as production: the services require real secrets and refuse any dev-only value', () => {
    expect(deploymentEnvironments(objects)).toEqual(Object.fromEntries(APP_NAMES.map((app) => [app, 'production'])));
  });

  it('references the Secrets the operator creates, by their documented names and keys', () => {
    // The keys the operator creates are those the dev overlay generates for the same Secret.
    const devSecrets = new Map(renderOverlay('dev').filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name.replace(/-[a-z0-9]{10}$/, ''), Object.keys(o['data'] ?? {}).sort()]));
    for (const w of workloads(objects).filter((x) => GRPC_SERVICES.includes(x.name))) {
      const { launch } = registeredApp(w.name);
      const refs = (w.pod.containers ?? []).flatMap((c) => c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : []));
      const keys = [...new Set(refs.map((r) => `${r.name}/${r.key}`))].sort();
      expect(keys).toEqual((devSecrets.get(`${w.name}-secrets`) ?? []).map((key) => `${w.name}-secrets/${key}`));
      // Its database and broker URLs among them, never inline.
      for (const variable of [launch.database?.urlVar, launch.broker?.urlVar].filter((v) => v !== undefined)) expect(keys).toContain(`${w.name}-secrets/${variable}`);
      // Required references: without the operator's Secret key the pod does not start.
      expect(refs.every((r) => r.optional !== true)).toBe(true);
    }
  });
});

describe('k8s/overlays/dev', () => {
  it('declares itself a development stack, since its generated Secrets hold dev-only values', () => {
    const objects = renderOverlay('dev');
    const secretValues = objects
      .filter((o) => o.kind === 'Secret')
      .flatMap((o) => Object.values((o['data'] ?? {}) as Record<string, string>).map((v) => Buffer.from(v, 'base64').toString()));
    expect(secretValues.filter((v) => v.includes('dev-only')).length).toBeGreaterThan(0);
    expect(deploymentEnvironments(objects)).toEqual(Object.fromEntries(APP_NAMES.map((app) => [app, 'development'])));
  });

  it('opens each app\'s metrics port to Prometheus alone, and lets the apps send OTLP to the collector alone', () => {
    const objects = renderOverlay('dev');
    const connections = permittedConnections(objects);
    const toMetrics = connections.filter((c) => c.endsWith(`:${METRICS_PORT}/TCP`));
    expect(toMetrics).toEqual(APP_NAMES.map((app) => `prometheus -> ${app}:${METRICS_PORT}/TCP`).sort());
    expect(connections.filter((c) => c.includes('-> otel-collector:'))).toEqual(APP_NAMES.map((app) => `${app} -> otel-collector:4318/TCP`).sort());
    // Every app declares the port the policy and Prometheus' targets name, and is told to serve on it.
    const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o['data'] as Record<string, string>]));
    for (const w of workloads(objects).filter((x) => APP_NAMES.includes(x.name))) {
      const container = w.pod.containers[0]!;
      expect(container.ports?.find((p) => p.name === 'metrics')?.containerPort).toBe(METRICS_PORT);
      const config = configMaps.get(container.envFrom?.find((e) => e.configMapRef)?.configMapRef?.name ?? '');
      expect([w.name, config?.['METRICS_PORT'], config?.['OTEL_EXPORTER_OTLP_ENDPOINT']]).toEqual([w.name, String(METRICS_PORT), 'http://otel-collector:4318']);
    }
  });

  it('runs the development identity provider as the issuer every app trusts, one replica by design', () => {
    const objects = renderOverlay('dev');
    expect(authSettings(objects)).toEqual(Object.fromEntries(APP_NAMES.map((app) => [app, { AUTH_MODE: 'jwt', AUTH_ISSUER: `http://${ISSUER.name}:${ISSUER.port}` }])));
    const provider = workloads(objects).find((w) => w.name === ISSUER.name)!;
    expect(provider.object['spec']).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    expect(provider.pod.containers[0]!.image).toBe(`acme/${ISSUER.name}:local`);
  });

  it('runs a Postgres StatefulSet per service and one RabbitMQ, each with its own volume', () => {
    const objects = renderOverlay('dev');
    const stateful = workloads(objects).filter((w) => w.object.kind === 'StatefulSet');
    expect(stateful.map((w) => w.name).sort()).toEqual([...WITH_DATABASE.map((app) => databaseHost(app.name)), ...(WITH_BROKER.length > 0 ? [BROKER] : [])].sort());
    for (const s of stateful) {
      expect((s.object['spec'] as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates).toHaveLength(1);
    }
    const broker = stateful.find((w) => w.name === 'rabbitmq')!;
    expect((broker.object['spec'] as { replicas?: number }).replicas).toBe(1);
  });
});

/** AUTH_MODE and AUTH_ISSUER of each app's container, from the ConfigMaps it loads. */
function authSettings(objects: readonly K8sObject[]): Record<string, { AUTH_MODE?: string; AUTH_ISSUER?: string }> {
  return Object.fromEntries(
    workloads(objects)
      .filter((w) => APP_NAMES.includes(w.name))
      .map((w) => {
        const env = containerEnv(objects, w, w.pod.containers[0]!);
        return [w.name, { AUTH_MODE: env['AUTH_MODE'], AUTH_ISSUER: env['AUTH_ISSUER'] }];
      }),
  );
}

/** DEPLOYMENT_ENVIRONMENT of each app, from the ConfigMap its containers load. */
function deploymentEnvironments(objects: readonly K8sObject[]): Record<string, string | undefined> {
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o['data'] as Record<string, string>]));
  return Object.fromEntries(
    workloads(objects)
      .filter((w) => w.object.kind === 'Deployment')
      .map((w) => {
        const source = (w.pod.containers ?? [])[0]?.envFrom?.find((e) => e.configMapRef)?.configMapRef?.name;
        return [w.name, source === undefined ? undefined : configMaps.get(source)?.['DEPLOYMENT_ENVIRONMENT']];
      }),
  );
}

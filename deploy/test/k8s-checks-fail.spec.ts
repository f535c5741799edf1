import { renderOverlay, type K8sObject } from '../src/kustomize';
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
import { permittedConnections } from '../src/network-graph';
import { mtlsWiringPolicy } from '../src/mtls-wiring';
import { identityPolicy } from '../src/identity-wiring';
import { deployedAppNames, deployedApps } from '../src/deployed-apps';

// Each check must be able to fail: every test breaks one thing in a copy of a
// rendered overlay and expects the check to name it.

/* eslint-disable @typescript-eslint/no-explicit-any -- the tests reach into objects to break them */
let dev: K8sObject[];
let prod: K8sObject[];
beforeAll(() => {
  dev = renderOverlay('dev');
  prod = renderOverlay('prod');
});

/** A copy of the objects with `change` applied to kind/name. */
function broken(objects: K8sObject[], kind: string, name: string, change: (o: any) => void): K8sObject[] {
  const copy = structuredClone(objects);
  const target = copy.find((o) => o.kind === kind && o.metadata.name === name);
  if (!target) throw new Error(`${kind}/${name} not rendered`);
  change(target);
  return copy;
}
const container = (d: any) => d.spec.template.spec.containers[0];
const schemaProblems = (objects: K8sObject[]) => objects.flatMap(validateAgainstSchema);

describe('the schema check fails on', () => {
  it('a misspelled field, at any depth', () => {
    const objects = broken(dev, 'Deployment', 'user-service', (d) => {
      container(d).readinesProbe = container(d).readinessProbe;
      container(d).securityContext.readOnlyRootFileSystem = true;
      d.spec.replica = 3;
    });
    expect(schemaProblems(objects)).toEqual([
      'Deployment/user-service: unknown field /spec/template/spec/containers/0/securityContext/readOnlyRootFileSystem',
      'Deployment/user-service: unknown field /spec/template/spec/containers/0/readinesProbe',
      'Deployment/user-service: unknown field /spec/replica',
    ]);
  });

  it('a value of the wrong type', () => {
    const objects = broken(dev, 'Service', 'user-service-headless', (s) => (s.spec.ports[0].port = 'fifty'));
    expect(schemaProblems(objects)).toEqual([expect.stringMatching(/^Service\/user-service-headless: .*ports\/0\/port must be integer/)]);
  });

  it('a missing required field', () => {
    const objects = broken(dev, 'Deployment', 'order-service', (d) => delete d.spec.selector);
    expect(schemaProblems(objects)).toEqual(['Deployment/order-service: data/spec must have required property selector']);
  });

  it('a misspelled field in the broker StatefulSet', () => {
    const objects = broken(dev, 'StatefulSet', 'rabbitmq', (s) => (container(s).volumeMounts[1].subpath = container(s).volumeMounts[1].subPath));
    expect(schemaProblems(objects)).toEqual(['StatefulSet/rabbitmq: unknown field /spec/template/spec/containers/0/volumeMounts/1/subpath']);
  });

  it('an apiVersion that does not exist', () => {
    const objects = broken(dev, 'HorizontalPodAutoscaler', 'user-service', (h) => (h.apiVersion = 'autoscaling/v3'));
    expect(schemaProblems(objects)).toEqual(['HorizontalPodAutoscaler/user-service: no Kubernetes schema for apiVersion "autoscaling/v3" kind "HorizontalPodAutoscaler"']);
  });
});

describe('the policy checks fail on', () => {
  it('a container without a probe, limits or the restricted security context', () => {
    const objects = broken(dev, 'Deployment', 'user-service', (d) => {
      delete container(d).startupProbe;
      delete container(d).resources.limits;
      container(d).securityContext.readOnlyRootFilesystem = false;
      container(d).securityContext.capabilities.drop = ['NET_RAW'];
      delete container(d).securityContext.seccompProfile;
      delete d.spec.template.spec.securityContext.seccompProfile;
      delete d.spec.template.spec.initContainers[0].securityContext.runAsNonRoot;
      delete d.spec.template.spec.securityContext.runAsNonRoot;
    });
    expect(containerPolicy(objects)).toEqual([
      'Deployment/user-service container migrate: runAsNonRoot is not true',
      'Deployment/user-service container user-service: no resources.limits.cpu',
      'Deployment/user-service container user-service: no resources.limits.memory',
      'Deployment/user-service container user-service: readOnlyRootFilesystem is not true',
      'Deployment/user-service container user-service: capabilities.drop does not include ALL',
      'Deployment/user-service container user-service: seccompProfile is not RuntimeDefault',
      'Deployment/user-service container user-service: no startupProbe',
    ]);
  });

  it('a broker container that runs as root, writes its root filesystem or has no probe', () => {
    const objects = broken(dev, 'StatefulSet', 'rabbitmq', (s) => {
      s.spec.template.spec.securityContext.runAsUser = 0;
      container(s).securityContext.readOnlyRootFilesystem = false;
      delete container(s).livenessProbe;
    });
    expect(containerPolicy(objects)).toEqual([
      'StatefulSet/rabbitmq container rabbitmq: runs as uid 0',
      'StatefulSet/rabbitmq container rabbitmq: readOnlyRootFilesystem is not true',
      'StatefulSet/rabbitmq container rabbitmq: no livenessProbe',
    ]);
  });

  it('a data volume whose fsGroup is re-applied at every mount', () => {
    const objects = broken(dev, 'StatefulSet', 'rabbitmq', (s) => delete s.spec.template.spec.securityContext.fsGroupChangePolicy);
    expect(volumeOwnershipPolicy(objects)).toEqual([
      'StatefulSet/rabbitmq: fsGroup without fsGroupChangePolicy OnRootMismatch re-applies group permissions to its data at every mount',
    ]);
  });

  it('a termination grace period shorter than the shutdown budget', () => {
    const objects = broken(dev, 'Deployment', 'order-service', (d) => (d.spec.template.spec.terminationGracePeriodSeconds = 30));
    expect(shutdownPolicy(objects)).toEqual([
      'Deployment/order-service container order-service: terminationGracePeriodSeconds 30 s does not exceed the shutdown budget of 35 s (SHUTDOWN_DRAIN_DELAY_MS 5 s + SHUTDOWN_GRACE_MS 15 s + AMQP_CONFIRM_TIMEOUT_MS 10 s + DATABASE_STATEMENT_TIMEOUT_MS 5 s)',
    ]);
    // Without a broker the relay does not run, and the same 30 s suffice.
    const noBroker = broken(objects, 'Deployment', 'order-service', (d) => (container(d).env = container(d).env.filter((e: any) => e.name !== 'AMQP_URL')));
    expect(shutdownPolicy(noBroker)).toEqual([]);
  });

  it('a probe aimed at an undeclared port', () => {
    const objects = broken(dev, 'Deployment', 'order-service', (d) => (container(d).readinessProbe.grpc.port = 50051));
    expect(probePortPolicy(objects)).toEqual(['Deployment/order-service container order-service: readinessProbe targets port 50051, which it does not declare']);
  });

  it('a Service that selects no pods, or targets an undeclared port', () => {
    const typo = broken(dev, 'Service', 'user-service-headless', (s) => (s.spec.selector['app.kubernetes.io/name'] = 'users-service'));
    expect(servicePolicy(typo)).toEqual(['Service/user-service-headless: selector {"app.kubernetes.io/name":"users-service"} matches no pods']);
    const port = broken(dev, 'Service', 'order-db', (s) => (s.spec.ports[0].targetPort = 'pg'));
    expect(servicePolicy(port)).toEqual(['Service/order-db port postgres: targetPort pg is not declared by StatefulSet/order-db']);
  });

  it('a gRPC server behind a ClusterIP instead of a headless Service', () => {
    const objects = broken(dev, 'Service', 'user-service-headless', (s) => delete s.spec.clusterIP);
    expect(headlessGrpcPolicy(objects)).toEqual(['Deployment/user-service: serves gRPC but no headless Service (clusterIP: None) selects it']);
  });

  it('a missing or outdated HPA or PDB', () => {
    const noHpa = dev.filter((o) => !(o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'order-service'));
    expect(autoscalingPolicy(noHpa)).toEqual(['Deployment/order-service: 0 HorizontalPodAutoscalers target it, expected 1']);
    const oldPdb = broken(dev, 'PodDisruptionBudget', 'user-service', (p) => (p.apiVersion = 'policy/v1beta1'));
    expect(autoscalingPolicy(oldPdb)).toEqual(['PodDisruptionBudget/user-service: apiVersion policy/v1beta1, expected policy/v1']);
    const strayPdb = broken(dev, 'PodDisruptionBudget', 'user-service', (p) => (p.spec.selector.matchLabels['app.kubernetes.io/name'] = 'order-service'));
    expect(autoscalingPolicy(strayPdb)).toEqual([
      'Deployment/order-service: 2 PodDisruptionBudgets select its pods, expected 1',
      'Deployment/user-service: 0 PodDisruptionBudgets select its pods, expected 1',
    ]);
  });

  it('a one-pod-by-design Deployment (strategy Recreate) scaled out or autoscaled', () => {
    const scaled = broken(dev, 'Deployment', 'prometheus', (d) => (d.spec.replicas = 2));
    expect(autoscalingPolicy(scaled)).toEqual(['Deployment/prometheus: strategy Recreate (one pod by design) but replicas 2, expected 1']);
    const hpa = structuredClone(dev.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'otel-collector')!) as any;
    hpa.metadata.name = 'jaeger';
    hpa.spec.scaleTargetRef.name = 'jaeger';
    expect(autoscalingPolicy([...dev, hpa])).toEqual(['Deployment/jaeger: strategy Recreate (one pod by design) but a HorizontalPodAutoscaler targets it']);
  });

  it('a metrics port opened beyond Prometheus, or OTLP egress beyond the collector', () => {
    const open = broken(dev, 'NetworkPolicy', 'apps-observability', (p) => {
      delete p.spec.ingress[0].from;
      delete p.spec.egress[0].to;
    });
    const connections = permittedConnections(open);
    expect(connections.filter((c) => c.endsWith(':9464/TCP') && !c.startsWith('prometheus ->'))).toEqual(deployedAppNames().map((app) => `outside -> ${app}:9464/TCP`));
    expect(connections).toContain('api-gateway -> external:4318/TCP');
  });

  it('a workload without node spread, or with a duplicated constraint', () => {
    const none = broken(dev, 'Deployment', 'user-service', (d) => delete d.spec.template.spec.topologySpreadConstraints);
    expect(topologyPolicy(none)).toEqual(['Deployment/user-service: no topology spread over kubernetes.io/hostname']);
    const twice = broken(dev, 'StatefulSet', 'user-db', (s) => s.spec.template.spec.topologySpreadConstraints.push(s.spec.template.spec.topologySpreadConstraints[0]));
    expect(topologyPolicy(twice)).toEqual(['StatefulSet/user-db: topology spread over kubernetes.io/hostname given more than once']);
  });

  it('prod with one replica, an inline secret or a committed Secret', () => {
    let objects = broken(prod, 'HorizontalPodAutoscaler', 'user-service', (h) => (h.spec.minReplicas = 1));
    objects = broken(objects, 'Deployment', 'order-service', (d) => {
      d.spec.replicas = 1;
      container(d).env.push({ name: 'PAGE_TOKEN_SECRET', value: 'x'.repeat(32) });
    });
    objects = broken(objects, 'Deployment', 'user-service', (d) => {
      container(d).env = container(d).env.map((e: any) => (e.name === 'AMQP_URL' ? { name: 'AMQP_URL', value: 'amqps://user-service:hunter2@broker.example.com:5671/acme' } : e));
    });
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leaked', namespace: 'acme' }, stringData: { x: 'postgres://u:hunter2@db/x' } });
    expect(prodPolicy(objects).sort()).toEqual([
      'Deployment/order-service container order-service: PAGE_TOKEN_SECRET is given inline; take it from a Secret',
      'Deployment/order-service: replicas 1 < 2',
      'Deployment/user-service container user-service: AMQP_URL is given inline; take it from a Secret',
      // Its env: the mtls component's GRPC_TLS_NAMESPACE and GRPC_TLS_TRUST_DOMAIN, then the base's DATABASE_URL, PAGE_TOKEN_SECRET, AMQP_URL.
      'Deployment/user-service: /spec/template/spec/containers/0/env/4/value holds a URL with a password',
      'HorizontalPodAutoscaler/user-service: minReplicas 1 < 2',
      'Secret/leaked: /stringData/x holds a URL with a password',
      'Secret/leaked: prod must not carry secrets; the operator creates them',
    ]);
  });
});

describe('the network check fails on', () => {
  it('an extra allowed connection', () => {
    const objects = broken(dev, 'NetworkPolicy', 'user-service', (p) => delete p.spec.ingress[0].from);
    expect(permittedConnections(objects)).toEqual(expect.arrayContaining(['outside -> user-service:50051/TCP', 'user-db -> dns:53/UDP']));
    const both = broken(
      broken(dev, 'NetworkPolicy', 'user-db', (p) => p.spec.ingress[0].from.push({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'order-service' } } })),
      'NetworkPolicy',
      'order-service',
      (p) => (p.spec.egress[1].to[0].podSelector.matchLabels['app.kubernetes.io/name'] = 'user-db'),
    );
    expect(permittedConnections(both)).toContain('order-service -> user-db:5432/TCP');
  });

  it('the broker reachable by a service that needs none, or a service that lost its broker edge', () => {
    const gateway = broken(
      broken(dev, 'NetworkPolicy', 'rabbitmq', (p) => p.spec.ingress[0].from.push({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api-gateway' } } })),
      'NetworkPolicy',
      'api-gateway',
      (p) => p.spec.egress.push({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'rabbitmq' } } }], ports: [{ port: 5672, protocol: 'TCP' }] }),
    );
    expect(permittedConnections(gateway)).toContain('api-gateway -> rabbitmq:5672/TCP');
    const lost = broken(dev, 'NetworkPolicy', 'user-service', (p) => (p.spec.egress = p.spec.egress.filter((r: any) => r.ports[0].port !== 5672)));
    expect(permittedConnections(lost)).not.toContain('user-service -> rabbitmq:5672/TCP');
    expect(permittedConnections(lost)).toContain('order-service -> rabbitmq:5672/TCP');
  });

  it('a prod egress patch that drops a base rule (patches replace whole egress lists)', () => {
    const objects = broken(prod, 'NetworkPolicy', 'order-service', (p) => (p.spec.egress = p.spec.egress.filter((r: any) => r.ports[0].port !== 5671)));
    expect(permittedConnections(objects)).not.toContain('order-service -> external:5671/TCP');
  });

  it('egress without a port limit', () => {
    const objects = broken(prod, 'NetworkPolicy', 'user-service', (p) => delete p.spec.egress[0].ports);
    expect(permittedConnections(objects)).toContain('user-service -> external:65000/TCP');
  });

  it('a missing default deny, which leaves a workload without its own policy open', () => {
    const debug = structuredClone(dev.find((o) => o.kind === 'Deployment' && o.metadata.name === 'user-service')!) as any;
    debug.metadata.name = 'debug';
    debug.spec.template.metadata.labels = { 'app.kubernetes.io/name': 'debug' };
    const withDeny = permittedConnections([...dev, debug]).filter((e) => e.includes('debug'));
    expect(withDeny).toEqual(['debug -> dns:53/TCP', 'debug -> dns:53/UDP']);
    const withoutDeny = permittedConnections([...dev, debug].filter((o) => o.metadata.name !== 'default-deny-all'));
    // (its egress stays limited to DNS: allow-dns-egress isolates every pod for egress)
    expect(withoutDeny).toContain('outside -> debug:50051/TCP');
  });

  it('a missing allowed connection', () => {
    const objects = broken(dev, 'NetworkPolicy', 'order-service', (p) => p.spec.egress.shift());
    expect(permittedConnections(objects)).not.toContain('order-service -> user-service:50051/TCP');
  });
});

describe('the mTLS wiring check fails on', () => {
  it("a Certificate for the wrong identity, a misspelt cert-manager field, a caller dialling a name the certificate lacks, a gRPC probe on the TLS port", () => {
    let objects = broken(prod, 'Certificate', 'user-service', (c) => {
      c.spec.uris = ['spiffe://acme.internal/ns/acme/sa/order-service'];
      c.spec.dnsNames = ['user-service'];
      c.spec.renewbefore = '240h';
    });
    objects = broken(objects, 'Deployment', 'order-service', (d) => {
      container(d).readinessProbe.grpc.port = 50052;
    });
    // Every caller of user-service dials the name its certificate lost (a generated caller too).
    const callers = deployedApps().filter((app) => app.calls.includes('user-service'));
    expect(mtlsWiringPolicy(objects).sort()).toEqual(
      [
        'Certificate/user-service: uris ["spiffe://acme.internal/ns/acme/sa/order-service"], expected [spiffe://acme.internal/ns/acme/sa/user-service]',
        ...callers.map(({ name }) => `Deployment/${name}: USER_SERVICE_URL=dns:///user-service-headless:50051, but Certificate/user-service has no DNS name user-service-headless`),
        'Deployment/order-service: its gRPC readiness probe asks port 50052, not the health port GRPC_HEALTH_PORT=50062 (the kubelet cannot do TLS)',
      ].sort(),
    );
    expect(schemaProblems(objects)).toEqual(['Certificate/user-service: unknown field /spec/renewbefore']);
  });

  it('an app without its Secret mounted, or not told its namespace', () => {
    const objects = broken(dev, 'Deployment', 'api-gateway', (d) => {
      d.spec.template.spec.volumes = d.spec.template.spec.volumes.filter((v: any) => v.name !== 'tls');
    });
    expect(mtlsWiringPolicy(objects)).toEqual([
      'Deployment/api-gateway: the GRPC_TLS_*_FILE directory (/etc/acme/tls/tls.crt, /etc/acme/tls/tls.key, /etc/acme/tls/ca.crt) is not a mounted Secret',
    ]);
    const plaintext = broken(dev, 'Deployment', 'order-service', (d) => {
      container(d).env = container(d).env.filter((e: any) => e.name !== 'GRPC_TLS_NAMESPACE');
    });
    expect(mtlsWiringPolicy(plaintext)).toEqual([
      "Deployment/order-service: GRPC_TLS_NAMESPACE must come from the pod's namespace and GRPC_TLS_TRUST_DOMAIN from mtls-identity",
    ]);
  });
});

describe('the identity check fails on', () => {
  /** auth-config's generated name (it carries a content hash). */
  const authConfig = (objects: K8sObject[]) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('auth-config-'))!.metadata.name;
  const APPS = deployedAppNames();

  it('prod with AUTH_MODE=off, or trusting an issuer over plain http', () => {
    const off = broken(prod, 'ConfigMap', authConfig(prod), (c) => (c.data.AUTH_MODE = 'off'));
    expect(identityPolicy(off)).toEqual(APPS.map((app) => `Deployment/${app}: AUTH_MODE: off is refused in production (every call would be trusted)`));
    const http = broken(prod, 'ConfigMap', authConfig(prod), (c) => (c.data.AUTH_ISSUER = 'http://login.example.com/realms/acme'));
    expect(identityPolicy(http)).toEqual(
      APPS.flatMap((app) => [
        `Deployment/${app}: http://login.example.com/realms/acme is not https, which production requires of the issuer`,
        `Deployment/${app}: no NetworkPolicy lets it reach login.example.com outside the cluster (egress to an ipBlock on 80/TCP)`,
      ]),
    );
  });

  it('prod running the development provider, or an app without a way to its issuer', () => {
    const provider = dev.filter((o) => o.metadata.name === 'identity-provider').map((o) => ({ ...structuredClone(o), metadata: { ...o.metadata, namespace: 'acme' } }));
    let objects = broken([...prod, ...provider], 'ConfigMap', authConfig(prod), (c) => (c.data.AUTH_ISSUER = 'https://identity-provider:9400'));
    objects = objects.filter((o) => o.metadata.name !== 'apps-issuer');
    expect(identityPolicy(objects)).toEqual([
      ...APPS.map((app) => `Deployment/${app}: no NetworkPolicy lets it reach its issuer Deployment/identity-provider on port 9400`),
      'Deployment/identity-provider: the development identity provider (demo clients, a key made at start) beside production apps; production takes an external issuer',
      'Deployment/identity-provider: ISSUER (unset), but the apps trust AUTH_ISSUER https://identity-provider:9400',
      'Deployment/identity-provider: AUDIENCE (unset), but the apps verify AUTH_AUDIENCE https://api.acme.example',
    ]);
    const noEgress = prod.filter((o) => o.metadata.name !== 'apps-issuer');
    expect(identityPolicy(noEgress)).toEqual(
      APPS.map((app) => `Deployment/${app}: no NetworkPolicy lets it reach login.example.com outside the cluster (egress to an ipBlock on 443/TCP)`),
    );
  });

  it('an app trusting another audience, an issuer left to the fallback, a provider issuing for another issuer', () => {
    let objects = broken(dev, 'Deployment', 'order-service', (d) => container(d).env.push({ name: 'AUTH_AUDIENCE', value: 'https://orders.acme.example' }));
    objects = broken(objects, 'Deployment', 'identity-provider', (d) => {
      const changed: Record<string, string> = { ISSUER: 'http://127.0.0.1:9400', DEPLOYMENT_ENVIRONMENT: 'production' };
      container(d).env = container(d).env.map((e: any) => (e.name in changed ? { name: e.name, value: changed[e.name] } : e));
    });
    expect(identityPolicy(objects)).toEqual([
      'Deployment/order-service: AUTH_AUDIENCE https://orders.acme.example, but Deployment/api-gateway has https://api.acme.example (every hop verifies the caller\'s one token)',
      'Deployment/identity-provider: DEPLOYMENT_ENVIRONMENT is not development, so the development identity provider refuses to start',
      'Deployment/identity-provider: ISSUER http://127.0.0.1:9400, but the apps trust AUTH_ISSUER http://identity-provider:9400',
    ]);
    const unset = broken(dev, 'ConfigMap', authConfig(dev), (c) => delete c.data.AUTH_ISSUER);
    expect(identityPolicy(unset)).toEqual(
      APPS.map((app) => `Deployment/${app}: AUTH_ISSUER unset; its fallback, the development issuer on 127.0.0.1, is no one inside a pod`),
    );
    const invalid = broken(dev, 'ConfigMap', authConfig(dev), (c) => (c.data.AUTH_ALGORITHMS = 'HS256'));
    expect(identityPolicy(invalid)).toEqual(APPS.map((app) => expect.stringMatching(new RegExp(`^Deployment/${app}: AUTH_ALGORITHMS\\.0: expected a comma-separated list of RS256`))));
  });
});

import type { Tree } from '@nx/devkit';
import { isScalar, isSeq, Scalar, visit, type Document } from 'yaml';
import { amqpUrl } from './broker-registration';
import type { DeploymentNames } from './deployment-names';
import { editYaml, editYamlDocument, insertItems, nameOf, parseSnippet, seqAt } from './yaml-edits';

// The new service's place in the Kubernetes manifests beside its own
// k8s/base/<app>/ (a template): the base's resources, both overlays, the mtls
// and observability components, and every policy that lists the apps by
// name. Each entry is shaped like user-service's next to it.

export const K8S = {
  base: 'k8s/base/kustomization.yaml',
  dev: 'k8s/overlays/dev/kustomization.yaml',
  devIssuer: 'k8s/overlays/dev/identity-provider.yaml',
  prod: 'k8s/overlays/prod/kustomization.yaml',
  prodReplicas: 'k8s/overlays/prod/replicas.yaml',
  prodResources: 'k8s/overlays/prod/resources.yaml',
  prodExternalEgress: 'k8s/overlays/prod/external-egress.yaml',
  prodIssuer: 'k8s/overlays/prod/issuer-egress.yaml',
  mtls: 'k8s/components/mtls/kustomization.yaml',
  mtlsCertificates: 'k8s/components/mtls/certificates.yaml',
  observability: 'k8s/components/observability/kustomization.yaml',
  observabilityPolicies: [
    'k8s/components/observability/apps-observability.yaml',
    'k8s/components/observability/otel-collector/otel-collector.yaml',
    'k8s/components/observability/prometheus/prometheus.yaml',
  ],
  prometheus: 'k8s/components/observability/prometheus/prometheus.yml',
} as const;

/** The apps k8s/base deploys besides `app` (each has its own directory there). */
export function deployedApps(tree: Tree, app: string): string[] {
  return tree.children('k8s/base').filter((entry) => entry !== app && tree.exists(`k8s/base/${entry}/kustomization.yaml`));
}

const SERVICE_CONFIG = /^[a-z0-9-]+-service-config$/;
const isServiceConfig = (item: unknown) => SERVICE_CONFIG.test(nameOf(item) ?? '');
const generators = (path: string, doc: Document, key: 'configMapGenerator' | 'secretGenerator') => seqAt(path, doc, [key]);

export function registerKubernetes(tree: Tree, d: DeploymentNames): void {
  const { app } = d;
  const apps = deployedApps(tree, app);

  editYamlDocument(tree, K8S.base, (doc) => {
    insertItems(K8S.base, seqAt(K8S.base, doc, ['resources']), `- ${app}`, (item) => apps.includes(String(item)) && String(item).endsWith('-service'));
  });

  editYamlDocument(tree, K8S.dev, (doc) => {
    if (d.database) {
      insertItems(K8S.dev, seqAt(K8S.dev, doc, ['resources']), `- postgres/${d.databaseHost}.yaml`, (item) => String(item).startsWith('postgres/'));
      insertItems(
        K8S.dev,
        generators(K8S.dev, doc, 'secretGenerator'),
        `- name: ${d.databaseHost}-credentials
  literals:
    - POSTGRES_PASSWORD=dev-only-${d.databaseHost}-password
- name: ${app}-secrets
  literals:
    - DATABASE_URL=postgres://${d.databaseName}:dev-only-${d.databaseHost}-password@${d.databaseHost}:5432/${d.databaseName}${
      d.broker ? `\n    - AMQP_URL=${amqpUrl(d.broker)}` : ''
    }
`,
        (item) => /-service-secrets$/.test(nameOf(item) ?? ''),
      );
    }
    insertItems(K8S.dev, seqAt(K8S.dev, doc, ['images']), `- name: acme/${app}\n  newTag: local\n`, (item) => /-service$/.test(nameOf(item) ?? ''));
    insertItems(
      K8S.dev,
      generators(K8S.dev, doc, 'configMapGenerator'),
      `- name: ${app}-config
  behavior: merge
  literals:
    # ${d.database ? 'Its Secrets above are development values ("dev-only"), which production refuses.' : 'The whole overlay is a development stack.'}
    - DEPLOYMENT_ENVIRONMENT=development
    - LOG_LEVEL=debug
`,
      isServiceConfig,
    );
  });

  editYamlDocument(tree, K8S.prod, (doc) => {
    insertItems(
      K8S.prod,
      seqAt(K8S.prod, doc, ['images']),
      `- name: acme/${app}\n  newName: registry.example.com/acme/${app}\n  newTag: 0.1.0\n`,
      (item) => /-service$/.test(nameOf(item) ?? ''),
    );
    insertItems(K8S.prod, generators(K8S.prod, doc, 'configMapGenerator'), `- name: ${app}-config\n  behavior: merge\n  literals:\n    - GRPC_REFLECTION=false\n`, isServiceConfig);
  });
  appendDocument(tree, K8S.prodReplicas, `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${app}
spec:
  minReplicas: 2
  maxReplicas: 10
`);
  appendDocument(tree, K8S.prodResources, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
spec:
  template:
    spec:
      containers:
        - name: ${app}
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              cpu: "2"
              memory: 512Mi
`);
  if (d.database) {
    // The patch replaces the base's whole egress list: the upstream it calls is repeated here.
    const upstream = d.calls
      ? `    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: ${d.calls.app}
      ports:
        - port: ${d.calls.port}
          protocol: TCP
`
      : '';
    const broker = d.broker
      ? `    - to:
        - ipBlock:
            cidr: ${brokerAddress(tree)}
      ports:
        - port: 5671
          protocol: TCP
`
      : '';
    appendDocument(tree, K8S.prodExternalEgress, `# ${app}: ${d.calls ? `${d.calls.app}, ` : ''}its own database${d.broker ? ' and the broker' : ''}.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${app}
spec:
  egress:
${upstream}    - to:
        - ipBlock:
            cidr: ${nextDocumentationAddress(tree)}/32
      ports:
        - port: 5432
          protocol: TCP
${broker}`);
  }

  editYamlDocument(tree, K8S.mtls, (doc) => {
    insertItems(K8S.mtls, seqAt(K8S.mtls, doc, ['patches']), `- path: ${app}.yaml`, (item) => /-service\.yaml$/.test(String((item as { path?: string }).path ?? '')));
    insertItems(
      K8S.mtls,
      generators(K8S.mtls, doc, 'configMapGenerator'),
      `- name: ${app}-config
  behavior: merge
  literals:
    - GRPC_TLS=on
    - GRPC_TLS_CERT_FILE=/etc/acme/tls/tls.crt
    - GRPC_TLS_KEY_FILE=/etc/acme/tls/tls.key
    - GRPC_TLS_CA_FILE=/etc/acme/tls/ca.crt
    - GRPC_HEALTH_PORT=${d.healthPort}
`,
      isServiceConfig,
    );
  });
  editYaml(tree, K8S.mtlsCertificates, (docs) => {
    const certificate = parseSnippet(K8S.mtlsCertificates, `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: ${app}
  labels:
    app.kubernetes.io/name: ${app}
spec:
  secretName: ${app}-tls
  issuerRef:
    name: acme-ca
    kind: Issuer
  duration: 720h
  renewBefore: 240h
  privateKey:
    algorithm: ECDSA
    size: 256
    rotationPolicy: Always
  usages: [digital signature, server auth, client auth]
  uris:
    - spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/${app}
  # The name its callers dial (dns:///${app}-headless:port).
  dnsNames:
    - ${app}-headless
`);
    // Beside the other services' certificates, before the gateway's.
    const last = docs.findLastIndex((doc) => /-service$/.test(String(doc.getIn(['metadata', 'name']))));
    return [...docs.slice(0, last + 1), certificate, ...docs.slice(last + 1)];
  });

  editYamlDocument(tree, K8S.observability, (doc) => {
    insertItems(
      K8S.observability,
      generators(K8S.observability, doc, 'configMapGenerator'),
      `- name: ${app}-config
  behavior: merge
  literals:
    - METRICS_PORT=9464
    - OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318
    - OTEL_TRACES_SAMPLER=parentbased_traceidratio
    - OTEL_TRACES_SAMPLER_ARG=0.1
`,
      isServiceConfig,
    );
  });
  editYamlDocument(tree, K8S.prometheus, (doc) => {
    insertItems(
      K8S.prometheus,
      seqAt(K8S.prometheus, doc, ['scrape_configs']),
      `- job_name: ${app}\n  dns_sd_configs:\n    - names: [${app}-headless]\n      type: A\n      port: 9464\n`,
      (item) => /-service$/.test(String((item as { job_name?: string }).job_name ?? '')),
    );
  });

  // Every policy that names the apps one by one (the issuer's, Prometheus',
  // the collector's, the apps' observability and prod's issuer egress) names this one too.
  for (const path of [K8S.devIssuer, K8S.prodIssuer, ...K8S.observabilityPolicies]) addToAppLists(tree, path, apps, app);
}

/** Appends a document to a multi-document file (it keeps the comments of those before it). */
function appendDocument(tree: Tree, path: string, text: string): void {
  editYaml(tree, path, (docs) => [...docs, parseSnippet(path, text)]);
}

/**
 * Adds `app` to every `app.kubernetes.io/name In [...]` list of the file
 * that names all the apps deployed so far; a file with none is an error.
 */
function addToAppLists(tree: Tree, path: string, apps: readonly string[], app: string): void {
  let lists = 0;
  editYaml(tree, path, (docs) => {
    for (const doc of docs) {
      visit(doc, {
        Map(_, node) {
          if (node.get('key') !== 'app.kubernetes.io/name' || node.get('operator') !== 'In') return;
          const values = node.get('values', true);
          if (!isSeq(values)) return;
          const names = values.items.map((item) => (isScalar(item) ? String(item.value) : ''));
          if (!apps.every((a) => names.includes(a)) || names.includes(app)) return;
          values.items.push(new Scalar(app));
          lists++;
        },
      });
    }
  });
  if (lists === 0) throw new Error(`${path}: no app.kubernetes.io/name In [...] list names all of ${apps.join(', ')}, where the generator adds ${app}`);
}

/** The broker's address in prod's egress policies: the one the other services reach on AMQPS (5671). */
function brokerAddress(tree: Tree): string {
  const text = tree.read(K8S.prodExternalEgress, 'utf-8') ?? '';
  const found = /cidr: (\S+)\n\s+ports:\n\s+- port: 5671\b/.exec(text)?.[1];
  if (!found) throw new Error(`${K8S.prodExternalEgress}: no egress rule on port 5671 (the broker's AMQPS) to take the broker's address from`);
  return found;
}

/**
 * The next of the documentation addresses (RFC 5737, 192.0.2.0/24) the prod
 * overlay's egress policies stand in with for the operator's, in steps of 10
 * as theirs (.10 user-service's database, .20 order-service's, .30 the broker,
 * .40 the issuer).
 */
function nextDocumentationAddress(tree: Tree): string {
  const used = [K8S.prodExternalEgress, K8S.prodIssuer].flatMap((path) => [...(tree.read(path, 'utf-8') ?? '').matchAll(/192\.0\.2\.(\d+)/g)].map((m) => Number(m[1])));
  const next = Math.max(0, ...used) + 10;
  if (next > 254) throw new Error(`${K8S.prodExternalEgress}: no documentation address above 192.0.2.${next - 10} left for the new database`);
  return `192.0.2.${next}`;
}

import { dirname } from 'node:path';
import type { K8sObject } from './kustomize';
import { deployedAppNames } from './deployed-apps';
import { appContainers, workloads } from './workloads';

// The mtls component's pieces must agree with each other and with the apps:
// the file paths the apps read with the Secret cert-manager writes, the
// SPIFFE ID in each Certificate with the identity the app's peers expect
// (trust domain and namespace as the app is told them), the DNS names with
// the targets callers dial, the probes with the plaintext health port.

interface CertificateSpec {
  secretName?: string;
  uris?: string[];
  dnsNames?: string[];
  isCA?: boolean;
  issuerRef?: { name?: string; kind?: string };
}

const configOf = (objects: readonly K8sObject[], name: string): Record<string, string> =>
  (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(`${name}-`) && /-[a-z0-9]{10}$/.test(o.metadata.name.slice(name.length)))?.['data'] ??
    objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name)?.['data'] ??
    {}) as Record<string, string>;

/** Every problem with the mTLS wiring of a rendered overlay; empty when it fits together. */
export function mtlsWiringPolicy(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const certificates = new Map(objects.filter((o) => o.kind === 'Certificate').map((o) => [o.metadata.name, o['spec'] as CertificateSpec]));
  const issuers = new Set(objects.filter((o) => o.kind === 'Issuer').map((o) => o.metadata.name));
  const trustDomain = configOf(objects, 'mtls-identity')['GRPC_TLS_TRUST_DOMAIN'];
  if (!trustDomain) problems.push('ConfigMap mtls-identity: no GRPC_TLS_TRUST_DOMAIN');
  // Every app of the deployment talks mTLS (deploy/src/deployed-apps.ts discovers them).
  const apps = deployedAppNames();
  for (const workload of workloads(objects).filter((w) => apps.includes(w.name))) {
    const at = workload.ref;
    const container = appContainers(workload)[0];
    const configName = container?.envFrom?.find((e) => e.configMapRef)?.configMapRef?.name ?? '';
    const config = (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === configName)?.['data'] ?? {}) as Record<string, string>;
    if (config['GRPC_TLS'] !== 'on') problems.push(`${at}: GRPC_TLS is ${config['GRPC_TLS'] ?? 'unset'}, not on`);
    // Files: all three in the directory where the Secret <app>-tls is mounted.
    const files = ['GRPC_TLS_CERT_FILE', 'GRPC_TLS_KEY_FILE', 'GRPC_TLS_CA_FILE'].map((v) => config[v] ?? '');
    const mount = container?.volumeMounts?.find((m) => files.every((f) => dirname(f) === m.mountPath));
    const volume = workload.pod.volumes?.find((v) => v.name === mount?.name);
    const secretName = volume?.secret?.secretName;
    if (!mount || !secretName) {
      problems.push(`${at}: the GRPC_TLS_*_FILE directory (${files.join(', ')}) is not a mounted Secret`);
      continue;
    }
    if (files.map((f) => f.slice(f.lastIndexOf('/') + 1)).join() !== 'tls.crt,tls.key,ca.crt') problems.push(`${at}: the GRPC_TLS_*_FILE names are not cert-manager's tls.crt, tls.key, ca.crt`);
    // The Certificate writing that Secret, from an Issuer of this overlay, with the identity the peers expect.
    const [certificateName, certificate] = [...certificates].find(([, spec]) => spec.secretName === secretName) ?? [];
    if (!certificate) {
      problems.push(`${at}: no Certificate writes the Secret ${secretName}`);
      continue;
    }
    if (!issuers.has(certificate.issuerRef?.name ?? '')) problems.push(`Certificate/${certificateName}: its Issuer ${certificate.issuerRef?.name} is not in the overlay`);
    const env = container?.env ?? [];
    const namespaceFromPod = env.find((e) => e.name === 'GRPC_TLS_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace';
    const trustFromIdentity = env.find((e) => e.name === 'GRPC_TLS_TRUST_DOMAIN')?.valueFrom?.configMapKeyRef?.key === 'GRPC_TLS_TRUST_DOMAIN';
    if (!namespaceFromPod || !trustFromIdentity) problems.push(`${at}: GRPC_TLS_NAMESPACE must come from the pod's namespace and GRPC_TLS_TRUST_DOMAIN from mtls-identity`);
    const expected = `spiffe://${trustDomain}/ns/${workload.namespace}/sa/${workload.name}`;
    if (JSON.stringify(certificate.uris) !== JSON.stringify([expected])) problems.push(`Certificate/${certificateName}: uris ${JSON.stringify(certificate.uris)}, expected [${expected}]`);
  }
  // Each caller's upstream target names a DNS SAN of the upstream's certificate (the client checks the host it dialled).
  for (const workload of workloads(objects).filter((w) => apps.includes(w.name))) {
    const configName = appContainers(workload)[0]?.envFrom?.find((e) => e.configMapRef)?.configMapRef?.name ?? '';
    const config = (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === configName)?.['data'] ?? {}) as Record<string, string>;
    for (const [variable, target] of Object.entries(config).filter(([name]) => /^[A-Z_]+_SERVICE_URL$/.test(name))) {
      const upstream = variable.replace(/_SERVICE_URL$/, '').toLowerCase().replace(/_/g, '-') + '-service';
      const host = /^dns:\/\/\/([^:]+):\d+$/.exec(target)?.[1];
      if (!host || !certificates.get(upstream)?.dnsNames?.includes(host)) {
        problems.push(`${workload.ref}: ${variable}=${target}, but Certificate/${upstream} has no DNS name ${host ?? '?'}`);
      }
    }
    // gRPC probes ask the plaintext health port, which is GRPC_HEALTH_PORT.
    const container = appContainers(workload)[0];
    const healthPort = container?.ports?.find((p) => p.name === 'health')?.containerPort;
    for (const [kind, probe] of Object.entries({ startup: container?.startupProbe, readiness: container?.readinessProbe, liveness: container?.livenessProbe })) {
      if (probe?.grpc && (probe.grpc.port !== healthPort || String(healthPort) !== config['GRPC_HEALTH_PORT'])) {
        problems.push(`${workload.ref}: its gRPC ${kind} probe asks port ${probe.grpc.port}, not the health port GRPC_HEALTH_PORT=${config['GRPC_HEALTH_PORT']} (the kubelet cannot do TLS)`);
      }
    }
  }
  return problems;
}

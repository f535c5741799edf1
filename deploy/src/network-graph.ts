import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type { K8sObject } from './kustomize';
import { appContainers, selects, workloads } from './workloads';

// Evaluates the NetworkPolicies of a rendered overlay the way Kubernetes does
// and lists every connection they permit, as "source -> destination:port/PROTO".
// A connection is permitted when the source's egress and the destination's
// ingress both allow it (a pod no policy isolates in a direction allows all).
//
// Endpoints: every workload of the overlay; "dns" (kube-dns in kube-system);
// "external" (any address outside the cluster, reachable only through an
// ipBlock); "outside" (a client in another namespace, e.g. an ingress
// controller, or beyond the cluster). Ports tried: each workload's declared
// ports; for dns and external every port any egress rule names, plus one no
// rule names, so a rule without ports shows up as a connection to it.

interface Port {
  port: number;
  name?: string;
  protocol: string;
}

interface Endpoint {
  id: string;
  namespace: string;
  namespaceLabels: Record<string, string>;
  labels: Record<string, string>;
  /** Outside the cluster's pod network: matched by ipBlock peers only. */
  external: boolean;
  /** Governed by this overlay's policies (its own workloads). */
  ours: boolean;
  ports: Port[];
}

const UNNAMED_PORT: Port = { port: 65000, protocol: 'TCP' };

type Policy = INetworkPolicy & K8sObject;

export function permittedConnections(objects: readonly K8sObject[]): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Policy[];
  const named = new Map<string, Port>();
  for (const p of policies) {
    for (const rule of p.spec?.egress ?? []) {
      for (const port of rule.ports ?? []) {
        if (typeof port.port === 'number') {
          const protocol = port.protocol ?? 'TCP';
          named.set(`${port.port}/${protocol}`, { port: port.port, protocol });
        }
      }
    }
  }
  const mentioned = [...named.values(), UNNAMED_PORT];

  const ours: Endpoint[] = workloads(objects).map((w) => ({
    id: w.name,
    namespace: w.namespace,
    namespaceLabels: { 'kubernetes.io/metadata.name': w.namespace },
    labels: w.podLabels,
    external: false,
    ours: true,
    ports: appContainers(w).flatMap((c) =>
      (c.ports ?? []).map((p) => ({ port: p.containerPort, name: p.name, protocol: p.protocol ?? 'TCP' })),
    ),
  }));
  const dns: Endpoint = {
    id: 'dns',
    namespace: 'kube-system',
    namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
    labels: { 'k8s-app': 'kube-dns' },
    external: false,
    ours: false,
    ports: mentioned,
  };
  const external: Endpoint = { id: 'external', namespace: '', namespaceLabels: {}, labels: {}, external: true, ours: false, ports: mentioned };
  const outside: Endpoint = {
    id: 'outside',
    namespace: 'ingress',
    namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress' },
    labels: { 'app.kubernetes.io/name': 'ingress-controller' },
    external: true,
    ours: false,
    ports: [],
  };

  const edges: string[] = [];
  const pairs: [Endpoint, Endpoint][] = [
    ...ours.flatMap((source) => [...ours, dns, external].map((destination): [Endpoint, Endpoint] => [source, destination])),
    ...ours.map((destination): [Endpoint, Endpoint] => [outside, destination]),
  ];
  for (const [source, destination] of pairs) {
    for (const port of destination.ports) {
      if (allows(policies, 'Egress', source, destination, port) && allows(policies, 'Ingress', destination, source, port)) {
        edges.push(`${source.id} -> ${destination.id}:${port.port}/${port.protocol}`);
      }
    }
  }
  return [...new Set(edges)].sort();
}

/** The ipBlock destinations each workload may send to, as "cidr:port/PROTOCOL" ("cidr:any" without a port limit). */
export function egressCidrs(objects: readonly K8sObject[]): Map<string, string[]> {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Policy[];
  const result = new Map<string, string[]>();
  for (const w of workloads(objects)) {
    const destinations = policies
      .filter((p) => (p.metadata.namespace ?? 'default') === w.namespace && selects(p.spec?.podSelector, w.podLabels))
      .flatMap((p) => p.spec?.egress ?? [])
      .flatMap((rule) => {
        const ports = rule.ports?.length ? rule.ports.map((x) => `${x.port ?? 'any'}/${x.protocol ?? 'TCP'}`) : ['any'];
        return (rule.to ?? []).flatMap((peer) => {
          const cidr = peer.ipBlock?.cidr;
          return cidr ? ports.map((port) => `${cidr}:${port}`) : [];
        });
      });
    if (destinations.length > 0) result.set(w.name, destinations);
  }
  return result;
}

/**
 * Whether the policies that select `subject` allow traffic in `direction`
 * to/from `peer` on `port`. Endpoints this overlay does not govern are not
 * restricted by it.
 */
function allows(policies: Policy[], direction: 'Ingress' | 'Egress', subject: Endpoint, peer: Endpoint, port: Port): boolean {
  if (!subject.ours) return true;
  const applying = policies.filter(
    (p) =>
      (p.metadata.namespace ?? 'default') === subject.namespace &&
      selects(p.spec?.podSelector, subject.labels) &&
      policyTypes(p).includes(direction),
  );
  if (applying.length === 0) return true;
  return applying.some((p) => {
    const rules = direction === 'Ingress' ? (p.spec?.ingress ?? []) : (p.spec?.egress ?? []);
    return rules.some((rule) => {
      const peers = direction === 'Ingress' ? (rule as { from?: INetworkPolicyPeer[] }).from : (rule as { to?: INetworkPolicyPeer[] }).to;
      const peerOk = !peers || peers.length === 0 || peers.some((x) => peerMatches(x, p.metadata.namespace ?? 'default', peer));
      const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((x) => portMatches(x, port));
      return peerOk && portOk;
    });
  });
}

function policyTypes(p: Policy): string[] {
  if (p.spec?.policyTypes) return p.spec.policyTypes;
  return p.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

function peerMatches(peer: INetworkPolicyPeer, policyNamespace: string, endpoint: Endpoint): boolean {
  if (peer.ipBlock) return endpoint.external;
  if (endpoint.external && endpoint.namespace === '') return false;
  if (peer.namespaceSelector) {
    return selects(peer.namespaceSelector, endpoint.namespaceLabels) && (!peer.podSelector || selects(peer.podSelector, endpoint.labels));
  }
  return endpoint.namespace === policyNamespace && selects(peer.podSelector, endpoint.labels);
}

function portMatches(rule: INetworkPolicyPort, port: Port): boolean {
  if ((rule.protocol ?? 'TCP') !== port.protocol) return false;
  if (rule.port === undefined) return true;
  if (typeof rule.port === 'string') return rule.port === port.name;
  return rule.endPort === undefined ? rule.port === port.port : port.port >= rule.port && port.port <= rule.endPort;
}

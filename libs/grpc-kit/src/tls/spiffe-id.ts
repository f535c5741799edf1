import type { PeerCertificate } from 'node:tls';

/**
 * Service identities are SPIFFE IDs carried as the one URI SAN of a
 * workload's certificate: spiffe://<trust domain>/ns/<namespace>/sa/<workload>,
 * the shape Istio and SPIRE give Kubernetes workloads. The trust domain
 * separates what one CA vouches for (one per environment); the namespace is
 * the Kubernetes namespace the workload runs in (compose and tests use one
 * fixed name); the workload is the app's name (user-service, api-gateway...).
 */
export interface WorkloadIdentity {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly workload: string;
}

/** The trust domain and namespace unless configured otherwise (compose, tests, the development CA). */
export const DEFAULT_TRUST_DOMAIN = 'acme.internal';
export const DEFAULT_NAMESPACE = 'acme';

/** Lowercase letters, digits, dots and dashes: a DNS-like trust domain, as SPIFFE allows. */
export const TRUST_DOMAIN_PATTERN = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
/** A Kubernetes name (RFC 1123 label): what a namespace and a workload are called. */
export const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const spiffeIdOf = ({ trustDomain, namespace, workload }: WorkloadIdentity): string => `spiffe://${trustDomain}/ns/${namespace}/sa/${workload}`;

/** The URI SANs of a certificate, from Node's subjectaltname text ("DNS:a, URI:spiffe://..."). */
export function uriSansOf(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(', ')
    .filter((entry) => entry.startsWith('URI:'))
    // Node quotes (JSON) a value holding characters that would break this format; no SPIFFE ID needs that.
    .map((entry) => entry.slice('URI:'.length))
    .filter((value) => !value.startsWith('"'));
}

/**
 * The SPIFFE ID of `trustDomain` that a certificate carries, or why it has
 * none: a SPIFFE certificate (X.509-SVID) has exactly one URI SAN, and
 * a certificate with several is not trusted to say who it is.
 */
export function spiffeIdInCertificate(subjectAltName: string | undefined, trustDomain: string): { id: string } | { problem: string } {
  const uris = uriSansOf(subjectAltName);
  const ours = uris.filter((uri) => uri.startsWith(`spiffe://${trustDomain}/`));
  if (ours.length === 1 && uris.length === 1) return { id: ours[0] as string };
  if (uris.length === 0) return { problem: 'no URI SAN (no SPIFFE ID)' };
  if (ours.length === 0) return { problem: `no SPIFFE ID of trust domain ${trustDomain} (URI SANs: ${uris.join(', ')})` };
  return { problem: `${uris.length} URI SANs (${uris.join(', ')}); a SPIFFE certificate carries exactly one` };
}

/** What grpc-js tells a server about the peer of a call (call.getAuthContext()). */
export interface PeerAuthContext {
  readonly transportSecurityType?: string;
  readonly sslPeerCertificate?: PeerCertificate;
}

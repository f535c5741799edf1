import { type ServerInterceptor, ServerInterceptingCall, status } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import type { MethodsOf } from '@acme/contracts';
import type { ServiceTls } from './service-tls';
import { NAME_PATTERN, type PeerAuthContext, spiffeIdInCertificate } from './spiffe-id';

/**
 * Which workloads may call each RPC of one service: the service's own
 * authorization policy, like a mesh's but enforced by the server itself.
 * Every RPC of the service must be listed (the type says so), so a new RPC
 * is closed until someone decides who calls it.
 */
export interface PeerPolicy {
  readonly service: DescService;
  /** By full method path (/acme.user.v1.UserService/GetUser): the workloads allowed. */
  readonly callers: ReadonlyMap<string, readonly string[]>;
}

export type PeerTable<S extends DescService> = { readonly [K in keyof MethodsOf<S>]: readonly string[] };

/** The peer policy of `service`, one entry per RPC (by its generated local name, e.g. getUser). */
export function peerPolicy<S extends DescService>(service: S, table: PeerTable<S>): PeerPolicy {
  const callers = new Map<string, readonly string[]>();
  for (const method of service.methods) {
    const allowed = (table as Record<string, readonly string[] | undefined>)[method.localName];
    if (!allowed) throw new Error(`peer policy of ${service.typeName}: ${method.name} has no entry (list the workloads that may call it)`);
    const bad = allowed.filter((workload) => !NAME_PATTERN.test(workload));
    if (bad.length > 0) throw new Error(`peer policy of ${service.typeName}: ${method.name} names ${bad.join(', ')}, not workload names`);
    callers.set(`/${service.typeName}/${method.name}`, allowed);
  }
  return { service, callers };
}

/** "GetUser <- order-service, api-gateway; ..." for the startup log. */
export const describePeerPolicy = (policy: PeerPolicy): string =>
  [...policy.callers].map(([path, workloads]) => `${path.slice(path.lastIndexOf('/') + 1)} <- ${workloads.join(', ') || 'nobody'}`).join('; ');

/**
 * A server interceptor that lets a call of a policed method reach its
 * handler only from a peer the policy names, identified by the SPIFFE ID in
 * the certificate it presented in the TLS handshake (which already proved
 * the certificate chains to the trust bundle): UNAUTHENTICATED when the
 * peer has no verified identity of our trust domain, PERMISSION_DENIED
 * (naming the peer and the method) when it is not allowed. Methods no policy
 * lists (grpc.health.v1, reflection) are open to every peer the handshake
 * admitted.
 */
export function authorizePeers(tls: ServiceTls, policies: readonly PeerPolicy[]): ServerInterceptor {
  const allowed = new Map<string, { ids: ReadonlySet<string>; workloads: readonly string[] }>();
  for (const policy of policies) {
    for (const [path, workloads] of policy.callers) allowed.set(path, { ids: new Set(workloads.map((w) => tls.peerId(w))), workloads });
  }
  return (method, call) => {
    const rule = allowed.get(method.path);
    if (!rule) return new ServerInterceptingCall(call);
    const intercepted: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, forward) => {
            const refusal = refusalOf(call.getAuthContext() as PeerAuthContext | null, rule, method.path, tls);
            if (refusal) intercepted.sendStatus({ code: refusal.code, details: refusal.message });
            else forward(metadata);
          },
        }),
    });
    return intercepted;
  };
}

function refusalOf(
  context: PeerAuthContext | null,
  rule: { ids: ReadonlySet<string>; workloads: readonly string[] },
  path: string,
  tls: ServiceTls,
): { code: status; message: string } | undefined {
  const certificate = context?.sslPeerCertificate;
  if (!certificate) {
    return { code: status.UNAUTHENTICATED, message: `${path} needs a verified client certificate (mTLS); the connection has none` };
  }
  const peer = spiffeIdInCertificate(certificate.subjectaltname, tls.trustDomain);
  if ('problem' in peer) {
    return { code: status.UNAUTHENTICATED, message: `${path}: the peer's certificate carries ${peer.problem}, so it has no identity here` };
  }
  if (rule.ids.has(peer.id)) return undefined;
  return {
    code: status.PERMISSION_DENIED,
    message: `peer ${peer.id} may not call ${path} (allowed: ${rule.workloads.map((w) => tls.peerId(w)).join(', ') || 'nobody'})`,
  };
}

// Which workload is calling: mutual TLS between the services, certificates
// re-read as they are renewed (watched-certificates.ts), SPIFFE IDs as the
// workloads' identities (spiffe-id.ts) and each server's per-method peer
// policy (peer-policy.ts). Who the *user* is lives in ../identity; the two
// compose: a call passes the peer check first, then the token check.
// The development CA (dev-certificates.ts) is a subpath of its own,
// @acme/grpc-kit/dev-certificates, so services never load its library.
export * from './spiffe-id';
export * from './certificate-check';
export * from './watched-certificates';
export * from './service-tls';
export * from './tls-env';
export * from './peer-policy';
export * from './grpc-credentials.module';

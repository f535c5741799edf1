import { readFileSync } from 'node:fs';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { z } from 'zod';
import { ConfigError, deploymentEnvironment, loadConfig, millisVar } from '@acme/config';
import { type CertificateFile, checkCertificates } from './certificate-check';
import { ServiceTls, type TlsLogger } from './service-tls';
import { DEFAULT_NAMESPACE, DEFAULT_TRUST_DOMAIN, NAME_PATTERN, TRUST_DOMAIN_PATTERN } from './spiffe-id';

const FILE_VARS: Record<CertificateFile, 'GRPC_TLS_CERT_FILE' | 'GRPC_TLS_KEY_FILE' | 'GRPC_TLS_CA_FILE'> = {
  certificate: 'GRPC_TLS_CERT_FILE',
  privateKey: 'GRPC_TLS_KEY_FILE',
  authorities: 'GRPC_TLS_CA_FILE',
};

const path = () =>
  z
    .string()
    .trim()
    .min(1)
    .optional()
    .transform((v): string | undefined => v);

/**
 * Environment variables of every process that serves or calls gRPC (spread
 * into its schema): mutual TLS between the workloads, and who they are.
 */
export const tlsEnv = () => ({
  /**
   * `on`: every gRPC server requires a client certificate from the trust
   * bundle and enforces its peer policy; every client presents its own
   * certificate. `off`: plaintext, nobody authenticated (npm start, tests of
   * other things); refused in production.
   */
  GRPC_TLS: z
    .enum(['off', 'on'], { message: 'expected off or on' })
    .optional()
    .transform((v) => v ?? 'off'),
  /** This workload's certificate (PEM, intermediates after it), private key (PEM) and the trust bundle (PEM CA certificates). */
  GRPC_TLS_CERT_FILE: path(),
  GRPC_TLS_KEY_FILE: path(),
  GRPC_TLS_CA_FILE: path(),
  /** How often the three files are re-read: a renewed certificate is used by new connections within this. */
  GRPC_TLS_REFRESH_INTERVAL_MS: millisVar(60_000, 100, 86_400_000),
  /** The SPIFFE trust domain of the identities (spiffe://<domain>/ns/<namespace>/sa/<workload>). */
  GRPC_TLS_TRUST_DOMAIN: z
    .string()
    .trim()
    .regex(TRUST_DOMAIN_PATTERN, { message: 'expected a trust domain such as acme.internal (lowercase letters, digits, dots, dashes)' })
    .optional()
    .transform((v) => v ?? DEFAULT_TRUST_DOMAIN),
  /** The namespace the workloads run in (Kubernetes: the pod's own, from the downward API). */
  GRPC_TLS_NAMESPACE: z
    .string()
    .trim()
    .regex(NAME_PATTERN, { message: 'expected a namespace name (RFC 1123 label)' })
    .optional()
    .transform((v) => v ?? DEFAULT_NAMESPACE),
});

type Shape = ReturnType<typeof tlsEnv>;
export type TlsEnv = { [K in keyof Shape]: z.output<Shape[K]> };

/**
 * The process's mTLS, or undefined with GRPC_TLS=off. Throws a ConfigError
 * (at boot) naming the variable of every file that is missing, unreadable or
 * unusable: not PEM, a key that is not the certificate's, a certificate
 * expired, not yet valid, without a SPIFFE ID of the trust domain, or not
 * issued by a CA of the bundle. GRPC_TLS=off is refused in production.
 */
export function serviceTlsFromEnv(env: TlsEnv, rawEnv: Record<string, string | undefined> = process.env, logger?: TlsLogger): ServiceTls | undefined {
  if (env.GRPC_TLS === 'off') {
    if (deploymentEnvironment(rawEnv) === 'production') {
      throw new ConfigError(['GRPC_TLS: off is refused in production (any process that reaches a gRPC port would be trusted); set it to on with GRPC_TLS_CERT_FILE, GRPC_TLS_KEY_FILE and GRPC_TLS_CA_FILE']);
    }
    return undefined;
  }
  const problems: string[] = [];
  const read = (file: CertificateFile): { path: string; content: Buffer } | undefined => {
    const variable = FILE_VARS[file];
    const path = env[variable];
    if (path === undefined) {
      problems.push(`${variable}: required when GRPC_TLS=on (not set)`);
      return undefined;
    }
    try {
      return { path, content: readFileSync(path) };
    } catch (error) {
      problems.push(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return undefined;
    }
  };
  const certificate = read('certificate');
  const privateKey = read('privateKey');
  const authorities = read('authorities');
  if (!certificate || !privateKey || !authorities) throw new ConfigError(problems);
  const pems = { certificate: certificate.content, privateKey: privateKey.content, authorities: authorities.content };
  const checked = checkCertificates(pems, env.GRPC_TLS_TRUST_DOMAIN);
  if ('problems' in checked) throw new ConfigError(checked.problems.map((problem) => `${FILE_VARS[problem.file]}: ${env[FILE_VARS[problem.file]]} ${problem.message}`));
  return new ServiceTls({
    paths: { certificateFile: certificate.path, privateKeyFile: privateKey.path, authoritiesFile: authorities.path },
    refreshIntervalMs: env.GRPC_TLS_REFRESH_INTERVAL_MS,
    trustDomain: env.GRPC_TLS_TRUST_DOMAIN,
    namespace: env.GRPC_TLS_NAMESPACE,
    initial: checked.ok,
  }, logger);
}

/**
 * Client credentials for a process that only calls (a probe, a test
 * launcher) from an environment such as a service's own: its certificate
 * with GRPC_TLS=on, plaintext otherwise.
 */
export function channelCredentialsFromEnv(rawEnv: Record<string, string | undefined>): ChannelCredentials {
  // Whether production may run without TLS is its server's to decide, not a probe's.
  return serviceTlsFromEnv(loadConfig(z.object(tlsEnv()), rawEnv), {})?.channelCredentials() ?? credentials.createInsecure();
}

import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs it loaded first
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { DEFAULT_NAMESPACE, DEFAULT_TRUST_DOMAIN, spiffeIdOf } from './spiffe-id';

// Development certificates: a CA and one certificate per workload, made by
// the compose stack's one-shot `certs` container (cli/dev-certificates.ts)
// and by the tests, with the same code. Production certificates come from
// cert-manager (k8s/components/mtls) or any CA that issues the same shape.

x509.cryptoProvider.set(webcrypto as never);

/** PEM text ending in a newline, so bundles can be concatenated (Node reads nothing of "-----END ...----------BEGIN ..."). */
const pemOf = (certificate: x509.X509Certificate): string => `${certificate.toString('pem').trimEnd()}\n`;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface PemPair {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface DevCertificateAuthority extends PemPair {
  readonly subject: string;
}

export interface ServiceCertificateRequest {
  readonly workload: string;
  readonly trustDomain?: string;
  readonly namespace?: string;
  /** Default: the workload's name and localhost. */
  readonly dnsNames?: readonly string[];
  /** Default: 127.0.0.1 (probes and tests call over loopback). */
  readonly ipAddresses?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Replaces the SPIFFE ID URI SAN (null: none at all), for tests of certificates that say nothing or the wrong thing. */
  readonly uris?: readonly string[] | null;
}

export interface IssuedCertificate extends PemPair {
  readonly serialNumber: string;
  readonly identity: string | undefined;
}

/** A random positive serial (RFC 5280: at most 20 bytes, high bit clear). */
const serial = (): string => {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
};

type CryptoKey = webcrypto.CryptoKey;

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY').trimEnd()}\n`;
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), ALGORITHM, true, ['sign']);
}

/** A self-signed development CA (ECDSA P-256), valid `days` from now. */
export async function createDevCertificateAuthority(options: { commonName?: string; days?: number; notBefore?: Date } = {}): Promise<DevCertificateAuthority> {
  const keys = await keyPair();
  const subject = `CN=${options.commonName ?? 'acme development CA'}, O=acme (development only)`;
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.days ?? 365) * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: pemOf(certificate), privateKeyPem: await privateKeyPem(keys.privateKey), subject };
}

/**
 * A workload certificate signed by `ca`: its SPIFFE ID as the one URI SAN,
 * DNS and IP SANs for the names clients dial, usable as server and client
 * certificate (mTLS), valid 30 days unless told otherwise.
 */
export async function issueServiceCertificate(ca: PemPair, request: ServiceCertificateRequest): Promise<IssuedCertificate> {
  const keys = await keyPair();
  const caCertificate = new x509.X509Certificate(ca.certificatePem);
  const identity =
    request.uris === undefined
      ? spiffeIdOf({ trustDomain: request.trustDomain ?? DEFAULT_TRUST_DOMAIN, namespace: request.namespace ?? DEFAULT_NAMESPACE, workload: request.workload })
      : undefined;
  const uris = request.uris === undefined ? [identity as string] : (request.uris ?? []);
  const notBefore = request.notBefore ?? new Date(Date.now() - 60_000);
  const serialNumber = serial();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: `CN=${request.workload}, O=acme (development only)`,
    issuer: caCertificate.subject,
    notBefore,
    notAfter: request.notAfter ?? new Date(notBefore.getTime() + 30 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: await importPrivateKey(ca.privateKeyPem),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...uris.map((value) => ({ type: 'url' as const, value })),
        ...(request.dnsNames ?? [request.workload, 'localhost']).map((value) => ({ type: 'dns' as const, value })),
        ...(request.ipAddresses ?? ['127.0.0.1']).map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caCertificate),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certificatePem: pemOf(certificate),
    privateKeyPem: await privateKeyPem(keys.privateKey),
    // As Node (and openssl) print it.
    serialNumber: new X509Certificate(pemOf(certificate)).serialNumber,
    identity,
  };
}

/** One workload's files, laid out as a cert-manager Secret is mounted (and as the compose stack's `certs` container writes them). */
export interface WorkloadFiles {
  readonly dir: string;
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  readonly authoritiesFile: string;
}

export const workloadFilesIn = (dir: string): WorkloadFiles => ({
  dir,
  certificateFile: join(dir, 'tls.crt'),
  privateKeyFile: join(dir, 'tls.key'),
  authoritiesFile: join(dir, 'ca.crt'),
});

/**
 * Writes a workload's certificate, key and trust bundle, each file whole or
 * not at all (rename); the bundle first, so a reader that sees the new
 * certificate already trusts its CA. The key is readable by its owner alone,
 * or with `owner` by that user and its group (the `certs` container gives
 * the files to the workload's uid and its own group 0, so that it can check
 * them on its next run without any capability to read others' files). The
 * directory stays its creator's. Each file may be left out (a test of a
 * renewal caught half-way).
 */
export function writeWorkloadFiles(
  files: WorkloadFiles,
  content: { certificatePem?: string; privateKeyPem?: string; authorities?: readonly PemPair[] },
  owner?: { uid: number; gid: number },
): void {
  mkdirSync(files.dir, { recursive: true });
  const write = (path: string, text: string, mode: number) => {
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, text, { mode });
    if (owner) chownSync(temporary, owner.uid, owner.gid);
    renameSync(temporary, path);
  };
  if (content.authorities) write(files.authoritiesFile, content.authorities.map((ca) => ca.certificatePem).join(''), 0o644);
  if (content.privateKeyPem) write(files.privateKeyFile, content.privateKeyPem, owner ? 0o640 : 0o600);
  if (content.certificatePem) write(files.certificateFile, content.certificatePem, 0o644);
}

/** A workload's files and the certificate written there last. */
export interface IssuedFiles extends WorkloadFiles {
  issued: IssuedCertificate;
}

/**
 * A development PKI in a temporary directory, for tests: a CA, workload
 * certificates issued into files, and the means to renew or spoil them in
 * place, as a real renewal does. The same code as the `certs` container.
 */
export class DevPki {
  private constructor(
    readonly root: string,
    readonly ca: DevCertificateAuthority,
  ) {}

  static async create(caName = 'test CA'): Promise<DevPki> {
    return new DevPki(mkdtempSync(join(tmpdir(), 'acme-pki-')), await createDevCertificateAuthority({ commonName: caName }));
  }

  /** A certificate for `workload` from this CA (or `signer`) in ROOT/<name>, trusting this CA (or `authorities`). */
  async issue(
    workload: string,
    request: Omit<ServiceCertificateRequest, 'workload'> = {},
    options: { signer?: PemPair; authorities?: readonly PemPair[]; name?: string } = {},
  ): Promise<IssuedFiles> {
    const issued = await issueServiceCertificate(options.signer ?? this.ca, { workload, ...request });
    const files = { ...workloadFilesIn(join(this.root, options.name ?? workload)), issued };
    writeWorkloadFiles(files, { ...issued, authorities: options.authorities ?? [this.ca] });
    return files;
  }

  /** Renews `files` in place: new key and certificate (from `signer`, default this CA), the bundle replaced when given. */
  async renew(files: IssuedFiles, workload: string, options: { signer?: PemPair; authorities?: readonly PemPair[] } = {}): Promise<IssuedCertificate> {
    const issued = await issueServiceCertificate(options.signer ?? this.ca, { workload });
    writeWorkloadFiles(files, { ...issued, ...(options.authorities ? { authorities: options.authorities } : {}) });
    files.issued = issued;
    return issued;
  }

  /** Replaces the certificate alone (its key stays): what a renewal caught half-way looks like. */
  async replaceCertificateOnly(files: WorkloadFiles, workload: string): Promise<IssuedCertificate> {
    const issued = await issueServiceCertificate(this.ca, { workload });
    writeWorkloadFiles(files, { certificatePem: issued.certificatePem });
    return issued;
  }

  /** The variables that give a process these files (GRPC_TLS=on). */
  static env(files: WorkloadFiles, refreshIntervalMs = 100): Record<string, string> {
    return {
      GRPC_TLS: 'on',
      GRPC_TLS_CERT_FILE: files.certificateFile,
      GRPC_TLS_KEY_FILE: files.privateKeyFile,
      GRPC_TLS_CA_FILE: files.authoritiesFile,
      GRPC_TLS_REFRESH_INTERVAL_MS: String(refreshIntervalMs),
    };
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

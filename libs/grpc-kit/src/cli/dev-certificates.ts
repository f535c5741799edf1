#!/usr/bin/env node
// Development CA and workload certificates, for the compose stack's one-shot
// `certs` container (and anyone who wants the same on a laptop):
//   node dev-certificates.js --ca DIR --out DIR [--trust-domain acme.internal]
//     [--namespace acme] [--owner UID:GID] [--renew] WORKLOAD...
// (the trust domain and namespace default to what GRPC_TLS_TRUST_DOMAIN and
// GRPC_TLS_NAMESPACE default to).
// Writes OUT/<workload>/tls.crt, tls.key and ca.crt (the layout of a
// cert-manager Secret, so GRPC_TLS_*_FILE read the same names everywhere).
// The CA (tls.crt, tls.key) stays in --ca (a volume only this container mounts). Runs are
// idempotent: a certificate that is still valid for two thirds of its life
// is kept; --renew issues new ones (the services pick them up within
// GRPC_TLS_REFRESH_INTERVAL_MS, without a restart).
import { mkdirSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkCertificates } from '../tls/certificate-check';
import { createDevCertificateAuthority, issueServiceCertificate, type PemPair, workloadFilesIn, writeWorkloadFiles } from '../tls/dev-certificates';
import { DEFAULT_NAMESPACE, DEFAULT_TRUST_DOMAIN, NAME_PATTERN, TRUST_DOMAIN_PATTERN } from '../tls/spiffe-id';

const { values, positionals } = parseArgs({
  options: {
    ca: { type: 'string' },
    out: { type: 'string' },
    'trust-domain': { type: 'string', default: DEFAULT_TRUST_DOMAIN },
    namespace: { type: 'string', default: DEFAULT_NAMESPACE },
    owner: { type: 'string' },
    renew: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

function usage(problem: string): never {
  console.error(`dev-certificates: ${problem}\nusage: dev-certificates --ca DIR --out DIR [--trust-domain D] [--namespace N] [--owner UID:GID] [--renew] WORKLOAD...`);
  process.exit(64); // EX_USAGE
}

const caDir = values.ca ?? usage('--ca is required');
const outDir = values.out ?? usage('--out is required');
const trustDomain = values['trust-domain'];
const namespace = values.namespace;
if (!TRUST_DOMAIN_PATTERN.test(trustDomain)) usage(`--trust-domain ${trustDomain} is not a trust domain`);
if (!NAME_PATTERN.test(namespace)) usage(`--namespace ${namespace} is not a namespace name`);
if (positionals.length === 0) usage('name at least one workload');
for (const workload of positionals) if (!NAME_PATTERN.test(workload)) usage(`${workload} is not a workload name`);
const ids = values.owner?.split(':').map(Number);
if (ids && (ids.length !== 2 || ids.some((id) => !Number.isInteger(id)))) usage('--owner is UID:GID');
const owner = ids && { uid: ids[0] as number, gid: ids[1] as number };

const readOrUndefined = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Valid now and for the last third of its life still ahead. */
function fresh(certificatePem: string): boolean {
  const certificate = new X509Certificate(certificatePem);
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  return Date.now() < to - (to - from) / 3;
}

async function main(): Promise<void> {
  mkdirSync(caDir, { recursive: true, mode: 0o700 });
  // The CA as a workload's files (tls.crt, tls.key) that only this container mounts; its own uid keeps it.
  const caFiles = workloadFilesIn(caDir);
  let ca: PemPair | undefined;
  const caCertificate = readOrUndefined(caFiles.certificateFile);
  const caKey = readOrUndefined(caFiles.privateKeyFile);
  if (caCertificate && caKey && fresh(caCertificate)) ca = { certificatePem: caCertificate, privateKeyPem: caKey };
  const newCa = ca === undefined;
  if (!ca) {
    ca = await createDevCertificateAuthority();
    writeWorkloadFiles(caFiles, ca);
    console.error(`dev-certificates: new development CA ${new X509Certificate(ca.certificatePem).serialNumber} in ${caDir}`);
  }
  for (const workload of positionals) {
    const files = workloadFilesIn(join(outDir, workload));
    const current = { certificate: readOrUndefined(files.certificateFile), key: readOrUndefined(files.privateKeyFile) };
    const usable =
      !values.renew &&
      !newCa &&
      current.certificate !== undefined &&
      current.key !== undefined &&
      fresh(current.certificate) &&
      'ok' in checkCertificates({ certificate: Buffer.from(current.certificate), privateKey: Buffer.from(current.key), authorities: Buffer.from(ca.certificatePem) }, trustDomain);
    if (usable) {
      console.error(`dev-certificates: ${workload}: kept serial ${new X509Certificate(current.certificate as string).serialNumber}`);
      continue;
    }
    const issued = await issueServiceCertificate(ca, { workload, trustDomain, namespace });
    writeWorkloadFiles(files, { ...issued, authorities: [ca] }, owner);
    console.error(`dev-certificates: ${workload}: issued ${issued.identity} serial ${issued.serialNumber}`);
  }
}

main().catch((error: unknown) => {
  console.error('dev-certificates: failed:', error);
  process.exit(1);
});

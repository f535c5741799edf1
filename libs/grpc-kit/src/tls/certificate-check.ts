import { createPrivateKey, X509Certificate } from 'node:crypto';
import { spiffeIdInCertificate } from './spiffe-id';

/** The three files a workload's mTLS needs, as read. */
export interface CertificatePems {
  /** Its certificate, then any intermediates (PEM). */
  readonly certificate: Buffer;
  readonly privateKey: Buffer;
  /** The trust bundle: the CA certificates whose certificates it accepts (PEM, one or more). */
  readonly authorities: Buffer;
}

export type CertificateFile = 'certificate' | 'privateKey' | 'authorities';

export interface CheckedCertificates {
  readonly pems: CertificatePems;
  /** The SPIFFE ID its certificate carries. */
  readonly identity: string;
  /** Hex, as `openssl x509 -serial` prints it. */
  readonly serialNumber: string;
  readonly validTo: Date;
  /** Subjects of the trust bundle's CAs. */
  readonly authorities: readonly string[];
}

export interface CertificateProblem {
  readonly file: CertificateFile;
  readonly message: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Every certificate in a PEM bundle; throws when a block does not parse. */
function certificatesIn(pem: Buffer): X509Certificate[] {
  return (pem.toString('utf8').match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));
}

/** `certificate` chains (through the given intermediates) to one of `authorities`. */
function chainsTo(certificate: X509Certificate, intermediates: readonly X509Certificate[], authorities: readonly X509Certificate[]): boolean {
  let current = certificate;
  for (let depth = 0; depth < 5; depth++) {
    if (authorities.some((ca) => current.checkIssued(ca) && current.verify(ca.publicKey))) return true;
    const next = intermediates.find((ca) => ca !== current && current.checkIssued(ca) && current.verify(ca.publicKey));
    if (!next) return false;
    current = next;
  }
  return false;
}

/**
 * Everything that would make a TLS handshake with these files fail, or make
 * the peers refuse us, checked before they are used: at boot (each problem
 * names its file's variable) and on every renewal (a bad renewal is ignored
 * and the files in use are kept).
 */
export function checkCertificates(pems: CertificatePems, trustDomain: string, now = new Date()): { ok: CheckedCertificates } | { problems: CertificateProblem[] } {
  const problems: CertificateProblem[] = [];
  let chain: X509Certificate[] = [];
  let authorities: X509Certificate[] = [];
  try {
    chain = certificatesIn(pems.certificate);
    if (chain.length === 0) problems.push({ file: 'certificate', message: 'holds no PEM certificate' });
  } catch (error) {
    problems.push({ file: 'certificate', message: `is not a PEM certificate (${(error as Error).message})` });
  }
  try {
    authorities = certificatesIn(pems.authorities);
    if (authorities.length === 0) problems.push({ file: 'authorities', message: 'holds no PEM certificate' });
    // Node's TLS reads nothing of a bundle whose certificates were concatenated without a line break.
    if (/-----END CERTIFICATE----------BEGIN/.test(pems.authorities.toString('utf8'))) {
      problems.push({ file: 'authorities', message: 'has certificates not separated by a line break: TLS would trust none of them' });
    }
  } catch (error) {
    problems.push({ file: 'authorities', message: `is not a PEM certificate bundle (${(error as Error).message})` });
  }
  let keyMatches = false;
  const [certificate] = chain;
  try {
    const key = createPrivateKey(pems.privateKey);
    keyMatches = certificate !== undefined && certificate.checkPrivateKey(key);
    if (certificate && !keyMatches) problems.push({ file: 'privateKey', message: 'is not the private key of the certificate' });
  } catch (error) {
    problems.push({ file: 'privateKey', message: `is not a PEM private key (${(error as Error).message})` });
  }
  if (!certificate) return { problems };

  const identity = spiffeIdInCertificate(certificate.subjectAltName, trustDomain);
  if ('problem' in identity) problems.push({ file: 'certificate', message: `carries ${identity.problem}: peers would not know who it is` });
  const validFrom = new Date(certificate.validFrom);
  const validTo = new Date(certificate.validTo);
  if (now < validFrom) problems.push({ file: 'certificate', message: `is not valid before ${validFrom.toISOString()}` });
  if (now > validTo) problems.push({ file: 'certificate', message: `expired at ${validTo.toISOString()}` });
  if (authorities.length > 0 && !chainsTo(certificate, chain.slice(1), authorities)) {
    problems.push({ file: 'certificate', message: `was not issued by a CA of the trust bundle (${authorities.map((ca) => ca.subject.replace(/\n/g, ', ')).join('; ')})` });
  }
  if (problems.length > 0 || 'problem' in identity) return { problems };
  return {
    ok: {
      pems,
      identity: identity.id,
      serialNumber: certificate.serialNumber,
      validTo,
      authorities: authorities.map((ca) => ca.subject.replace(/\n/g, ', ')),
    },
  };
}

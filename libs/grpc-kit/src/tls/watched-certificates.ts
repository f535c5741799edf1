import { readFileSync } from 'node:fs';
import type { experimental as Experimental } from '@grpc/grpc-js';
import { type CertificatePems, type CheckedCertificates, checkCertificates } from './certificate-check';

type CaListener = Experimental.CaCertificateUpdateListener;
type IdentityListener = Experimental.IdentityCertificateUpdateListener;

export interface CertificatePaths {
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  readonly authoritiesFile: string;
}

export interface CertificateEvents {
  /** A renewed certificate (or trust bundle) is in use from now on. */
  renewed(previous: CheckedCertificates, current: CheckedCertificates): void;
  /** The files changed into something unusable; the ones in use are kept. */
  refused(problems: string): void;
}

/**
 * The workload's certificate, private key and trust bundle as a grpc-js
 * CertificateProvider, for grpc-js's certificate-provider server and channel
 * credentials: the files are re-read every `refreshIntervalMs`, and a
 * renewal reaches every handshake after it, without a restart (connections
 * already open keep the certificate they started with).
 *
 * Why not grpc-js's FileWatcherCertificateProvider (which re-reads on an
 * interval too): (1) it hands whatever it read to the TLS stack, so a
 * renewal caught half-way (new certificate, old key) makes every new
 * handshake fail until its next read; here each set of files is checked as
 * a whole (checkCertificates) and the previous, still valid, set stays in
 * use. (2) A client channel holds its listener only while it connects, and
 * the file watcher (grpc-js 1.14.7's code) discards a read that completes
 * after its last listener left, so a client that reconnects rarely may keep
 * connecting with files older than an interval. Here a listener that
 * arrives after more than an interval gets the files read there and then.
 * (3) Its timer keeps the process alive; this one does not.
 */
export class WatchedCertificates implements Experimental.CertificateProvider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private current: CheckedCertificates;
  private timer: NodeJS.Timeout | undefined;
  private readAt = Date.now();
  private lastRefusal: string | undefined;

  constructor(
    private readonly paths: CertificatePaths,
    private readonly refreshIntervalMs: number,
    private readonly trustDomain: string,
    initial: CheckedCertificates,
    private readonly events: CertificateEvents,
  ) {
    this.current = initial;
  }

  /** The files in use now. */
  get inUse(): CheckedCertificates {
    return this.current;
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    this.watch();
    process.nextTick(() => this.caListeners.has(listener) && listener({ caCertificate: this.current.pems.authorities }));
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
    this.unwatchIfUnused();
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    this.watch();
    process.nextTick(() => this.identityListeners.has(listener) && listener({ certificate: this.current.pems.certificate, privateKey: this.current.pems.privateKey }));
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
    this.unwatchIfUnused();
  }

  /** Reads the files now and uses them if they changed and are usable (the timer calls it; so may a test). */
  refresh(): void {
    this.readAt = Date.now();
    const unreadable: string[] = [];
    const read = (path: string): Buffer | undefined => {
      try {
        return readFileSync(path);
      } catch (error) {
        unreadable.push(`${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
        return undefined;
      }
    };
    const certificate = read(this.paths.certificateFile);
    const privateKey = read(this.paths.privateKeyFile);
    const authorities = read(this.paths.authoritiesFile);
    if (!certificate || !privateKey || !authorities) {
      this.refuse(`cannot read ${unreadable.join(', ')}`);
      return;
    }
    const pems: CertificatePems = { certificate, privateKey, authorities };
    if (sameFiles(pems, this.current.pems)) {
      this.lastRefusal = undefined;
      return;
    }
    const checked = checkCertificates(pems, this.trustDomain);
    if ('problems' in checked) {
      const path = { certificate: this.paths.certificateFile, privateKey: this.paths.privateKeyFile, authorities: this.paths.authoritiesFile };
      this.refuse(checked.problems.map((problem) => `${path[problem.file]} ${problem.message}`).join('; '));
      return;
    }
    const previous = this.current;
    this.current = checked.ok;
    this.lastRefusal = undefined;
    for (const listener of this.identityListeners) listener({ certificate, privateKey });
    for (const listener of this.caListeners) listener({ caCertificate: authorities });
    this.events.renewed(previous, checked.ok);
  }

  private watch(): void {
    if (this.timer) return;
    if (Date.now() - this.readAt >= this.refreshIntervalMs) this.refresh();
    this.timer = setInterval(() => this.refresh(), this.refreshIntervalMs);
    this.timer.unref();
  }

  private unwatchIfUnused(): void {
    if (this.caListeners.size + this.identityListeners.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private refuse(problems: string): void {
    if (problems === this.lastRefusal) return;
    this.lastRefusal = problems;
    this.events.refused(problems);
  }
}

const sameFiles = (a: CertificatePems, b: CertificatePems): boolean =>
  a.certificate.equals(b.certificate) && a.privateKey.equals(b.privateKey) && a.authorities.equals(b.authorities);

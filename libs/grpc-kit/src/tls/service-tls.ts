import { type ChannelCredentials, experimental, type ServerCredentials } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { CheckedCertificates } from './certificate-check';
import { spiffeIdOf } from './spiffe-id';
import { type CertificatePaths, WatchedCertificates } from './watched-certificates';

export interface ServiceTlsOptions {
  readonly paths: CertificatePaths;
  readonly refreshIntervalMs: number;
  readonly trustDomain: string;
  /** The namespace of the workloads this one talks to (its own). */
  readonly namespace: string;
  /** The files as checked at boot. */
  readonly initial: CheckedCertificates;
}

/** Where certificate renewals (and refused ones) are reported. */
export type TlsLogger = Pick<Logger, 'log' | 'error'>;

/**
 * One workload's mTLS: its certificate (re-read as it is renewed), the
 * credentials every gRPC server and client of the process uses, and how its
 * peers are named. Made once per process (serviceTlsFromEnv).
 */
export class ServiceTls {
  readonly certificates: WatchedCertificates;
  readonly trustDomain: string;
  readonly namespace: string;
  readonly refreshIntervalMs: number;
  private channel: ChannelCredentials | undefined;

  constructor(options: ServiceTlsOptions, logger: TlsLogger = new Logger('Tls')) {
    this.trustDomain = options.trustDomain;
    this.namespace = options.namespace;
    this.refreshIntervalMs = options.refreshIntervalMs;
    this.certificates = new WatchedCertificates(options.paths, options.refreshIntervalMs, options.trustDomain, options.initial, {
      renewed: (previous, current) =>
        logger.log(`certificate renewed: serial ${previous.serialNumber} -> ${current.serialNumber}, ${current.identity}, valid until ${current.validTo.toISOString()}; new connections use it`),
      refused: (problems) => logger.error(`certificate files changed but cannot be used (${problems}); keeping serial ${this.certificates.inUse.serialNumber}, valid until ${this.certificates.inUse.validTo.toISOString()}`),
    });
  }

  /** This workload's SPIFFE ID, from its certificate. */
  get identity(): string {
    return this.certificates.inUse.identity;
  }

  /** The SPIFFE ID a peer workload of this namespace presents. */
  peerId(workload: string): string {
    return spiffeIdOf({ trustDomain: this.trustDomain, namespace: this.namespace, workload });
  }

  /**
   * For a server: TLS with this certificate, and every client must present a
   * certificate that chains to the trust bundle (the handshake fails otherwise).
   */
  serverCredentials(): ServerCredentials {
    return experimental.createCertificateProviderServerCredentials(this.certificates, this.certificates, true);
  }

  /**
   * For every client channel of the process (one instance, so they share one
   * file watcher): presents this certificate, trusts servers whose
   * certificate chains to the bundle and names the host the target does.
   */
  channelCredentials(): ChannelCredentials {
    this.channel ??= experimental.createCertificateProviderChannelCredentials(this.certificates, this.certificates);
    return this.channel;
  }

  /** One line for the startup log. */
  describe(): string {
    const inUse = this.certificates.inUse;
    return (
      `mTLS on: ${inUse.identity}, certificate serial ${inUse.serialNumber} valid until ${inUse.validTo.toISOString()}; ` +
      `peers need a certificate from ${inUse.authorities.join(' or ')}; files re-read every ${this.refreshIntervalMs} ms`
    );
  }
}

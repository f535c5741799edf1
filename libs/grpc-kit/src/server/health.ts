import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/** A dependency the service cannot serve without (its database, say). Rejects when it is not usable. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface GrpcHealthOptions {
  /** Fully qualified service names reported besides the overall status (""). */
  readonly serviceNames: readonly string[];
  /** How often the readiness checks run. */
  readonly intervalMs: number;
}

export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

/**
 * Health "service" name for liveness probes: SERVING for as long as the
 * process runs, NOT_SERVING only once it shuts down. A dependency outage must
 * not get a pod restarted (restarting cannot bring a database back); that is
 * what readiness ("" and the gRPC service names) is for.
 */
export const LIVENESS_SERVICE_NAME = 'liveness';

export const GRPC_HEALTH_OPTIONS = Symbol('GRPC_HEALTH_OPTIONS');
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/**
 * grpc.health.v1 for this server. Polls the readiness checks and reports
 * SERVING only while all pass, so orchestrators and client-side health
 * checking route around a replica whose database is gone; it flips back by
 * itself when the dependency returns. During shutdown it reports NOT_SERVING
 * for good.
 */
@Injectable()
export class GrpcHealth implements OnApplicationShutdown {
  readonly implementation = new HealthImplementation();
  private readonly logger = new Logger('GrpcHealth');
  private timer: NodeJS.Timeout | undefined;
  private current: ServingStatus = 'UNKNOWN';
  private shuttingDown = false;
  private lastFailure: string | undefined;

  constructor(
    @Inject(GRPC_HEALTH_OPTIONS) private readonly options: GrpcHealthOptions,
    @Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[],
  ) {
    this.implementation.setStatus(LIVENESS_SERVICE_NAME, 'SERVING');
    this.publish('NOT_SERVING');
  }

  /** The gRPC services whose status this reports (besides the overall ""). */
  get serviceNames(): readonly string[] {
    return this.options.serviceNames;
  }

  get status(): ServingStatus {
    return this.current;
  }

  /** Runs the checks once (so the first answer is truthful) and then every interval. */
  async start(): Promise<void> {
    await this.runChecks();
    this.schedule();
  }

  /** Reports NOT_SERVING from now on and stops checking. */
  markShuttingDown(): void {
    this.shuttingDown = true;
    clearTimeout(this.timer);
    this.publish('NOT_SERVING');
    this.implementation.setStatus(LIVENESS_SERVICE_NAME, 'NOT_SERVING');
  }

  onApplicationShutdown(): void {
    this.markShuttingDown();
  }

  /** Runs every check now and publishes the result. Exposed for tests and for callers that saw a failure. */
  async runChecks(): Promise<ServingStatus> {
    const failures: string[] = [];
    await Promise.all(
      this.checks.map(async (c) => {
        try {
          await c.check();
        } catch (error) {
          failures.push(`${c.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    );
    if (this.shuttingDown) return this.current;
    const next: ServingStatus = failures.length === 0 ? 'SERVING' : 'NOT_SERVING';
    const failure = failures.join('; ') || undefined;
    if (next !== this.current) {
      if (next === 'SERVING') this.logger.log('health: SERVING');
      else this.logger.warn(`health: NOT_SERVING (${failure})`);
    } else if (failure && failure !== this.lastFailure) {
      this.logger.warn(`health: still NOT_SERVING (${failure})`);
    }
    this.lastFailure = failure;
    this.publish(next);
    return next;
  }

  private schedule(): void {
    if (this.shuttingDown) return;
    this.timer = setTimeout(() => {
      void this.runChecks().finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private publish(status: ServingStatus): void {
    this.current = status;
    this.implementation.setStatus('', status);
    for (const name of this.options.serviceNames) this.implementation.setStatus(name, status);
  }
}

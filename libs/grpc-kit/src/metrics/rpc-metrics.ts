import { performance } from 'node:perf_hooks';
import type { Attributes, Histogram } from '@opentelemetry/api';
import type { ServerInterceptingCallInterface, ServerInterceptor } from '@grpc/grpc-js';
import { DURATION_BUCKETS_MS, meterOf } from '@acme/telemetry';
import { HEALTH_SERVICE_NAME } from '../server/health';
import { intercepted, PassThroughCall, type SentStatus } from '../server/pass-through-call';

/** Probes and tooling, not traffic: health checks and reflection are not counted as calls. */
const UNCOUNTED_SERVICES = new Set([HEALTH_SERVICE_NAME, 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']);

/**
 * rpc.server.duration / rpc.client.duration as the semantic conventions name
 * them (ms; rpc.system, rpc.service, rpc.method, rpc.grpc.status_code), the
 * RED metrics of every call. Created when a server or client is, after
 * startMetrics (a no-op when metrics are off).
 */
export class RpcDurations {
  private readonly histogram: Histogram;
  // One attribute set per method and status, made once (by path, then status
  // code: no key string is built per call); the SDK reads them on every call.
  private readonly attributes = new Map<string, Attributes[]>();

  constructor(side: 'server' | 'client') {
    this.histogram = meterOf('@acme/grpc-kit').createHistogram(`rpc.${side}.duration`, {
      description: `Duration of gRPC calls ${side === 'server' ? 'served' : 'made'}, by method and status`,
      unit: 'ms',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_MS },
    });
  }

  /** Records one finished call of `path` (/package.Service/Method) that ended with status `code`. */
  record(path: string, code: number, ms: number): void {
    let byCode = this.attributes.get(path);
    if (!byCode) this.attributes.set(path, (byCode = []));
    let attributes = byCode[code];
    if (!attributes) {
      const [, service = '', method = ''] = path.split('/');
      attributes = byCode[code] = { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method, 'rpc.grpc.status_code': code };
    }
    this.histogram.record(ms, attributes);
  }
}

const counted = new Map<string, boolean>();

/** Whether calls of `path` count as traffic (health and reflection do not); decided once per path. */
export function countedCall(path: string): boolean {
  let yes = counted.get(path);
  if (yes === undefined) counted.set(path, (yes = !UNCOUNTED_SERVICES.has(path.split('/')[1] ?? '')));
  return yes;
}

/**
 * Records rpc.server.duration for every call the server finishes, with the
 * status it really sent (a grpc-js interceptor sees calls Nest never
 * handles: unknown method, malformed request).
 */
export function rpcServerMetricsInterceptor(durations = new RpcDurations('server')): ServerInterceptor {
  return (method, call) => intercepted(countedCall(method.path) ? new MeasuredCall(call, method.path, durations) : call);
}

/** A call that records its duration when its status is sent: one small object per call, whatever the call's length (PassThroughCall). */
class MeasuredCall extends PassThroughCall {
  private readonly started = performance.now();

  constructor(
    next: ServerInterceptingCallInterface,
    private readonly path: string,
    private readonly durations: RpcDurations,
  ) {
    super(next);
  }

  override sendStatus(status: SentStatus): void {
    this.durations.record(this.path, status.code ?? 0, performance.now() - this.started);
    this.next.sendStatus(status);
  }
}

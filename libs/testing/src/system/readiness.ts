import type { ChannelCredentials } from '@grpc/grpc-js';
import { HealthClient } from '@acme/grpc-kit';

/** How a started process is known to be ready. */
export type Readiness =
  /** Its grpc.health.v1 Watch reports SERVING for `service` ('' = the server as a whole). */
  | { readonly grpcHealth: string; readonly service?: string; readonly credentials?: ChannelCredentials }
  /** This URL answers 200. */
  | { readonly httpUrl: string }
  /** Its output has a line matching this. */
  | { readonly logLine: RegExp };

// The health client retries its connection on this short backoff while the
// server is not listening yet; grpc-js's default (1 s, growing) would round
// every start (and the bench's cold-start figure) up to the next retry.
const FAST_RECONNECT = { 'grpc.initial_reconnect_backoff_ms': 10, 'grpc.max_reconnect_backoff_ms': 25 };

export async function grpcServing(address: string, service: string, timeoutMs: number, credentials?: ChannelCredentials): Promise<void> {
  const health = new HealthClient(address, FAST_RECONNECT, credentials);
  try {
    await health.waitFor('SERVING', service, timeoutMs);
  } finally {
    health.close();
  }
}

/**
 * HTTP has no readiness push (unlike grpc.health.v1 Watch), so ask the way an
 * orchestrator would: again after a short, growing pause (capped low, so a
 * measured start is not rounded up by much), until it answers 200, the
 * process is gone, or time runs out.
 */
export async function httpReady(url: string, timeoutMs: number, stillRunning: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (let pause = 5; Date.now() < deadline && stillRunning(); pause = Math.min(pause * 2, 50)) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  if (stillRunning()) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/** What the readiness is, in words (the bench's tables say how a start was timed). */
export function describeReadiness(readiness: Readiness): string {
  if ('grpcHealth' in readiness) return 'gRPC health SERVING';
  if ('httpUrl' in readiness) return `HTTP ${new URL(readiness.httpUrl).pathname} 200`;
  return `log line ${readiness.logLine}`;
}

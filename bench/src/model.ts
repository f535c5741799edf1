import type { LatencySummary } from '@acme/testing';

/** Which load generator produced a figure. */
export type GeneratorName = 'h2load' | 'wrk' | 'node-http2' | 'pg';

/**
 * What the benchmark measures: the two calls, and what telemetry costs on the
 * order path (the same CreateOrder with metrics or tracing switched on).
 */
export const SCENARIO_NAMES = ['GetUser', 'CreateOrder', 'Telemetry'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * How a product stack's telemetry is configured: nothing (the default), the
 * Prometheus metrics endpoint only, or OTLP trace export with the SDK's
 * parent-based sampler at a ratio (`sampled`) or at 100 % (`full`).
 */
export type TelemetryMode = 'off' | 'metrics' | 'sampled' | 'full';

/**
 * Who answers: the product (NestJS services), the raw baseline, the product
 * behind the HTTP gateway, or no server at all (an anchor: what the database
 * alone costs for the same work).
 */
export type SystemName = 'product' | 'baseline' | 'gateway' | 'anchor';

/** One thing measured: a call, through one system, driven by one generator. */
export interface Variant {
  readonly id: string;
  readonly scenario: ScenarioName;
  readonly system: SystemName;
  readonly label: string;
  readonly generator: GeneratorName;
  /** The variant its ratios are computed against (measured in the same rounds). */
  readonly reference?: string;
  /** The product stack it runs on (default 'off': the stack every other variant uses). */
  readonly telemetry?: TelemetryMode;
}

/** The figures of one fixed-duration run of one variant at one concurrency. */
export interface RunResult {
  readonly variant: string;
  readonly concurrency: number;
  /** 1-based; the runs of a round alternate between variants. */
  readonly round: number;
  readonly startedAt: string;
  readonly durationS: number;
  /** Requests completed (successfully) during the run. */
  readonly requests: number;
  /** Failed requests (non-OK gRPC status, non-2xx HTTP, transport errors); a valid run has none. */
  readonly errors: number;
  readonly reqPerS: number;
  readonly latencyUs: Pick<LatencySummary, 'p50' | 'p90' | 'p99' | 'max' | 'mean'>;
  /** CPU time of every server process in the path during the run, by process name. */
  readonly serverCpuUs: Record<string, number>;
  readonly cpuUsPerReq: number;
  /** CPU time of the Postgres backends serving the path's databases, per request (null when unknown). */
  readonly dbCpuUsPerReq: number | null;
  /** RSS of each server process in the path when the run started, in MB. */
  readonly rssAtStartMb: Record<string, number>;
  /** Peak RSS of each server process in the path during the run, in MB. */
  readonly peakRssMb: Record<string, number>;
  /** Set when peak RSS could not be reset before the run (then it is the peak since the process started). */
  readonly peakRssSinceStart?: boolean;
  /** CPU time of the load generator, per request and as a share of one core. */
  readonly generatorCpuUsPerReq: number;
  readonly generatorCorePercent: number;
  /** 1-minute load average at the end of the run. */
  readonly loadAverage: number;
}

/** Process start to first readiness, and memory, over several fresh starts. */
export interface ColdStartResult {
  readonly service: string;
  readonly system: SystemName;
  /** What "ready" means for it (gRPC health SERVING, or the HTTP server listening). */
  readonly readyWhen: string;
  readonly startMs: readonly number[];
  readonly rssAtReadyMb: readonly number[];
}

/** RSS of a long-running process of the measured system, in MB. */
export interface MemoryResult {
  readonly service: string;
  readonly system: SystemName;
  /** The stack it belongs to (the telemetry stacks are measured, not budgeted). */
  readonly telemetry: TelemetryMode;
  /** Median of its RSS right after the warm-up and at the start of each of its runs. */
  readonly afterWarmupMb: number;
  readonly peakMb: number;
}

/** Bytes on the wire for one call, measured through a counting TCP relay. */
export interface WireResult {
  readonly variant: string;
  readonly protocol: string;
  readonly requests: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** Size of the message itself (protobuf or JSON body), without framing or headers. */
  readonly requestPayloadBytes: number;
  readonly responsePayloadBytes: number;
}

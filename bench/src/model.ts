import type { LatencySummary } from '@acme/testing';
import type { DeliveryReport } from './streaming/deliveries';

/** Which load generator produced a figure. */
export type GeneratorName = 'h2load' | 'wrk' | 'node-http2' | 'pg';

/**
 * What the benchmark measures: the two calls, what telemetry costs on the
 * order path (the same CreateOrder with metrics or tracing switched on), and
 * the streams (WatchOrders held idle and under changes, ImportUsers against
 * CreateUser), which are not request/response variants: see StreamingResult.
 */
export const SCENARIO_NAMES = ['GetUser', 'CreateOrder', 'Telemetry', 'Streaming'] as const;
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

/** order-service's RSS with this many idle WatchOrders streams open, read once it settled. */
export interface IdleStreamsPoint {
  readonly streams: number;
  /** Client connections carrying them (the server's concurrent-stream limit apiece). */
  readonly connections: number;
  readonly rssMb: number;
  /** V8 heap in use, from the metrics endpoint (when it reports it). */
  readonly heapUsedMb?: number;
  /** From the gauge reaching the count to RSS holding still, and whether it did within the bound. */
  readonly settleMs: number;
  readonly settled: boolean;
}

export interface IdleStreamsResult {
  readonly points: readonly IdleStreamsPoint[];
  /** RSS growth per 1,000 streams, from none to the most. */
  readonly mbPer1000: number;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS, as the watchers were told. */
  readonly streamsPerConnection: number;
  /** Once every stream was cancelled: the live-subscription gauge and RSS. */
  readonly subscriptionsAfterClose: number;
  readonly rssAfterCloseMb: number;
}

/** Changes made at a fixed rate (open loop), timed to each watcher of the changed user. */
export interface ChangeLatencyResult {
  readonly watchers: number;
  readonly users: number;
  readonly ratePerS: number;
  readonly durationS: number;
  /** Writes (CreateOrder / CancelOrder) that returned OK, and the rate they came at. */
  readonly changes: number;
  readonly achievedPerS: number;
  readonly failedWrites: number;
  readonly writeErrorSample?: string;
  /** The write calls' own latency (µs). */
  readonly writeLatencyUs: LatencySummary;
  readonly deliveries: DeliveryReport;
  readonly outOfOrder: number;
  /** Watch streams the server ended during the run (should be none), and the first one's status. */
  readonly endedStreams: number;
  readonly endedSample?: string;
  /** How late the writer sent changes (ms): whether the generator kept its schedule. */
  readonly writerLatenessMs: { readonly p99: number; readonly max: number };
  readonly maxInFlight: number;
  readonly writerCorePercent: number;
  readonly watchersCorePercent: number;
  readonly orderServiceCorePercent: number;
  readonly orderServiceCpuUsPerChange: number;
}

/** The same number of new users written one way, on an emptied users table. */
export interface UserWriteRun {
  readonly label: string;
  /** Calls in flight (the import: one stream). */
  readonly concurrency: number;
  readonly users: number;
  /** Rows in the users table afterwards (must equal `users`). */
  readonly rowsWritten: number;
  readonly errors: number;
  readonly errorSample?: string;
  readonly elapsedS: number;
  readonly rowsPerS: number;
  /** user-service's CPU, and its Postgres backends', per row. */
  readonly serverCpuUsPerRow: number;
  readonly dbCpuUsPerRow: number | null;
  readonly generatorCorePercent: number;
}

export interface ImportComparison {
  readonly createUser: UserWriteRun;
  readonly importUsers: UserWriteRun;
  /** ImportUsers rows/s over CreateUser rows/s. */
  readonly ratio: number;
}

/** The Streaming scenario's figures. */
export interface StreamingResult {
  readonly idle: IdleStreamsResult;
  /** One run per change rate. */
  readonly latency: readonly ChangeLatencyResult[];
  readonly imports: ImportComparison;
  /** 1-minute load average after each of the three parts. */
  readonly loadAverages: readonly number[];
}

import type { TelemetryMode, Variant } from './model';
import { DEFAULT_SAMPLE_RATIO } from './system/telemetry-env';
import type { BudgetSubjects } from './report/budget';
import type { BenchOptions } from './options';

/** What each telemetry mode is called in the tables. */
const TELEMETRY_LABELS: Record<TelemetryMode, string> = {
  off: 'telemetry off',
  metrics: 'metrics only',
  sampled: `traces, ratio ${DEFAULT_SAMPLE_RATIO}`,
  full: 'traces, 100 %',
};

export const telemetryVariantId = (path: 'grpc' | 'gateway', mode: TelemetryMode) => `telemetry-createorder-${path}-${mode}`;

/** CreateOrder direct and through the gateway, in every telemetry mode; each mode's ratios are to 'off' on the same path. */
function telemetryVariants(): Variant[] {
  const modes = Object.keys(TELEMETRY_LABELS) as TelemetryMode[];
  return (['grpc', 'gateway'] as const).flatMap((path) =>
    modes.map((mode) => ({
      id: telemetryVariantId(path, mode),
      scenario: 'Telemetry' as const,
      system: path === 'grpc' ? ('product' as const) : ('gateway' as const),
      label: `${path === 'grpc' ? 'gRPC CreateOrder' : 'HTTP POST /orders'}, ${TELEMETRY_LABELS[mode]}`,
      generator: path === 'grpc' ? ('node-http2' as const) : ('wrk' as const),
      telemetry: mode,
      reference: mode === 'off' ? undefined : telemetryVariantId(path, 'off'),
    })),
  );
}

/**
 * Everything measured. Each scenario runs its variants one after the other
 * in every round (A/B/C, A/B/C, ...), so the machine's drift hits them alike:
 * - the product (NestJS services) against the raw grpc-js + pg baseline;
 * - the same call through the HTTP gateway against the product's direct gRPC;
 * - (Telemetry) the order path with metrics or tracing on against the same
 *   path with telemetry off, each mode on a product stack of its own.
 */
export const VARIANTS: readonly Variant[] = [
  {
    id: 'getuser-grpc-product',
    scenario: 'GetUser',
    system: 'product',
    label: 'gRPC GetUser → user-service',
    generator: 'h2load',
    reference: 'getuser-grpc-baseline',
  },
  { id: 'getuser-grpc-baseline', scenario: 'GetUser', system: 'baseline', label: 'gRPC GetUser → raw baseline', generator: 'h2load' },
  {
    id: 'getuser-http-gateway',
    scenario: 'GetUser',
    system: 'gateway',
    label: 'HTTP GET /users/:id → gateway → user-service',
    generator: 'wrk',
    reference: 'getuser-grpc-product',
  },
  {
    id: 'createorder-grpc-product',
    scenario: 'CreateOrder',
    system: 'product',
    label: 'gRPC CreateOrder → order-service → user-service',
    generator: 'node-http2',
    reference: 'createorder-grpc-baseline',
  },
  {
    id: 'createorder-grpc-baseline',
    scenario: 'CreateOrder',
    system: 'baseline',
    label: 'gRPC CreateOrder → raw baseline chain',
    generator: 'node-http2',
  },
  {
    id: 'createorder-http-gateway',
    scenario: 'CreateOrder',
    system: 'gateway',
    label: 'HTTP POST /orders → gateway → order-service → user-service',
    generator: 'wrk',
    reference: 'createorder-grpc-product',
  },
  {
    id: 'createorder-sql-minimal',
    scenario: 'CreateOrder',
    system: 'anchor',
    label: 'SQL: the same rows in one prepared INSERT (pg, no service)',
    generator: 'pg',
  },
  ...telemetryVariants(),
];

export const BUDGET_SUBJECTS: BudgetSubjects = {
  getUser: 'getuser-grpc-product',
  createOrder: 'createorder-grpc-product',
  gatewayCreateOrder: 'createorder-http-gateway',
};

/** The variants compared in the gRPC-versus-REST table (same GetUser call). */
export const PROTOCOL_COMPARISON = { grpc: 'getuser-grpc-product', rest: 'getuser-http-gateway' } as const;

export const variantById = (id: string): Variant => {
  const variant = VARIANTS.find((v) => v.id === id);
  if (!variant) throw new Error(`unknown variant ${id}`);
  return variant;
};

/** What the Streaming scenario does (streaming/measure-streaming.ts). */
export interface StreamingPlan {
  /** Idle WatchOrders streams at which order-service's RSS is read, besides none. */
  readonly idleStreams: readonly number[];
  /** Streams opened at a time (each batch waits for its snapshots), as clients arriving, not all in one instant. */
  readonly openBatch: number;
  /** Watchers during the changes, and how many watch each changed user. */
  readonly watchers: number;
  readonly watchersPerUser: number;
  /** Changes (CreateOrder and CancelOrder, alternately) per second of each run, and for how long each runs. */
  readonly changeRates: readonly number[];
  readonly changeSeconds: number;
  /** New users written through one ImportUsers stream, and through unary CreateUser at this concurrency. */
  readonly importUsers: number;
  readonly createUserConcurrency: number;
  /** Users each path writes before the measured runs (then the table is emptied). */
  readonly warmupUsers: number;
}

export function streamingPlan(options: BenchOptions): StreamingPlan {
  return {
    idleStreams: options.idleStreams,
    openBatch: 500,
    watchers: 1_000,
    watchersPerUser: 2,
    changeRates: options.changeRates,
    changeSeconds: options.quick ? 5 : 20,
    importUsers: options.importUsers,
    createUserConcurrency: 16,
    warmupUsers: options.quick ? 500 : 2_000,
  };
}

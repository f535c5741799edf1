import type { Variant } from './model';
import type { BudgetSubjects } from './report/budget';

/**
 * Everything measured. Each scenario runs its variants one after the other
 * in every round (A/B/C, A/B/C, ...), so the machine's drift hits them alike:
 * - the product (NestJS services) against the raw grpc-js + pg baseline;
 * - the same call through the HTTP gateway against the product's direct gRPC.
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

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Variant } from '../model';
import type { BenchDatabases } from '../system/databases';
import { type BenchSystem, type ProcessKey, productKey } from '../system/bench-system';
import { grpcFrame } from '@acme/testing';
import { COUNTER_WIDTH, createOrderTemplates, GRPC_CALLS, ORDER_ITEMS_JSON } from './grpc-messages';
import { runH2load, type LoadOutcome } from './h2load';
import { minimalInsertLoad } from './minimal-insert';
import { runNodeHttp2 } from './node-http2';
import { runWrk } from './wrk';

/** What a variant's requests go through, and how to load it. */
export interface VariantPlan {
  /** Server processes on the path (their CPU is the "server CPU"). */
  readonly processes: readonly ProcessKey[];
  /** Databases those processes use (their Postgres backends' CPU is the "DB CPU"). */
  readonly databases: readonly string[];
  /** The orders database each successful call writes one order to (CreateOrder only). */
  readonly writesTo?: string;
  load(concurrency: number, durationS: number): Promise<LoadOutcome>;
  /** Releases what the plan holds open between runs (the anchor's pool). */
  close?(): Promise<void>;
}

export interface LoadContext {
  readonly ports: BenchSystem['ports'];
  readonly databases: BenchDatabases;
  /** Scratch directory for bodies, logs and scripts. */
  readonly workDir: string;
}

/** Every gRPC request carries a deadline, as real clients' do. */
const GRPC_HEADERS = { 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '10S' };

let runSequence = 0;
/** Idempotency keys start with this: unique per run, so every CreateOrder writes a new order. */
const keyPrefix = (tag: string) => `bench-${tag}-${Date.now().toString(36)}-${++runSequence}`;

/** The user every GetUser asks for (h2load sends one fixed body). */
export const getUserTarget = (databases: BenchDatabases): string => databases.userIds[0] as string;

export function getUserFrame(userId: string): Buffer {
  return grpcFrame(GRPC_CALLS.getUser.request.serialize({ id: userId }));
}

export function variantPlan(variant: Variant, context: LoadContext): VariantPlan {
  const { ports, databases, workDir } = context;
  const userId = getUserTarget(databases);
  const scratch = (name: string) => join(workDir, `${variant.id}-${runSequence}-${name}`);
  const h2loadGetUser = (port: number) => {
    const bodyFile = join(workDir, 'getuser.bin');
    writeFileSync(bodyFile, getUserFrame(userId));
    return (concurrency: number, durationS: number) =>
      runH2load({ url: `http://127.0.0.1:${port}${GRPC_CALLS.getUser.path}`, bodyFile, headers: GRPC_HEADERS, concurrency, durationS, logFile: scratch('h2load.log') });
  };
  const nodeCreateOrder = (port: number, tag: string) => (concurrency: number, durationS: number) => {
    const { templates, counterOffset } = createOrderTemplates(databases.userIds, keyPrefix(tag));
    return runNodeHttp2({
      origin: `http://127.0.0.1:${port}`,
      path: GRPC_CALLS.createOrder.path,
      templates,
      counterOffset,
      counterWidth: COUNTER_WIDTH,
      concurrency,
      durationS,
      configFile: scratch('grpc-load.json'),
    });
  };
  const portOf = (key: ProcessKey): number => {
    const port = ports[key];
    if (port === undefined) throw new Error(`${variant.id} needs ${key}, which the bench system did not start`);
    return port;
  };
  // The order path of one product stack (the telemetry-off one unless the variant says otherwise).
  const stack = variant.telemetry ?? 'off';
  const tag = stack === 'off' ? '' : stack;
  const orderPath = [productKey('order-service', stack), productKey('user-service', stack)];
  const grpcCreateOrder = (): VariantPlan => ({
    processes: orderPath,
    databases: [databases.productOrders.name, databases.productUsers.name],
    writesTo: databases.productOrders.name,
    load: nodeCreateOrder(portOf(productKey('order-service', stack)), `p${tag}`),
  });
  const gatewayCreateOrder = (): VariantPlan => ({
    processes: [productKey('api-gateway', stack), ...orderPath],
    databases: [databases.productOrders.name, databases.productUsers.name],
    writesTo: databases.productOrders.name,
    load: (concurrency, durationS) =>
      runWrk({
        baseUrl: `http://127.0.0.1:${portOf(productKey('api-gateway', stack))}`,
        request: { kind: 'create-order', userIds: databases.userIds, itemsJson: JSON.stringify(ORDER_ITEMS_JSON), keyPrefix: keyPrefix(`g${tag}`) },
        concurrency,
        durationS,
        scriptFile: scratch('wrk.lua'),
      }),
  });
  if (variant.scenario === 'Telemetry') return variant.system === 'gateway' ? gatewayCreateOrder() : grpcCreateOrder();
  const gateway = `http://127.0.0.1:${ports['api-gateway']}`;

  switch (variant.id) {
    case 'getuser-grpc-product':
      return { processes: ['user-service'], databases: [databases.productUsers.name], load: h2loadGetUser(ports['user-service']) };
    case 'getuser-grpc-baseline':
      return { processes: ['baseline-user'], databases: [databases.baselineUsers.name], load: h2loadGetUser(ports['baseline-user']) };
    case 'getuser-http-gateway':
      return {
        processes: ['api-gateway', 'user-service'],
        databases: [databases.productUsers.name],
        load: (concurrency, durationS) =>
          runWrk({ baseUrl: gateway, request: { kind: 'get', path: `/users/${userId}` }, concurrency, durationS, scriptFile: scratch('wrk.lua') }),
      };
    case 'createorder-grpc-product':
      return grpcCreateOrder();
    case 'createorder-grpc-baseline':
      return {
        processes: ['baseline-order', 'baseline-user'],
        databases: [databases.baselineOrders.name, databases.baselineUsers.name],
        writesTo: databases.baselineOrders.name,
        load: nodeCreateOrder(ports['baseline-order'], 'b'),
      };
    case 'createorder-http-gateway':
      return gatewayCreateOrder();
    case 'createorder-sql-minimal': {
      // Into the baseline's orders database (same schema), counted there by the write check.
      const anchor = minimalInsertLoad(databases.baselineOrders.url, databases.userIds, keyPrefix('m'));
      return { processes: [], databases: [databases.baselineOrders.name], writesTo: databases.baselineOrders.name, ...anchor };
    }
    default:
      throw new Error(`no load plan for variant ${variant.id}`);
  }
}

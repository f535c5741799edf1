import { toJson } from '@bufbuild/protobuf';
import { orderV1 } from '@acme/contracts';
import type { BenchDatabases } from '../system/databases';
import type { BenchSystem } from '../system/bench-system';
import { createOrderTemplates, GRPC_CALLS, ORDER_ITEMS_JSON } from '../load/grpc-messages';
import { getUserFrame, getUserTarget } from '../load/variant-load';
import { rawGrpcCall } from './grpc-call';

export interface PreflightFacts {
  /** Sizes of the GetUser messages and of the REST answer, for the protocol table. */
  readonly grpcGetUserRequestBytes: number;
  readonly grpcGetUserResponseBytes: number;
  readonly restGetUserResponseBytes: number;
}

const EXPECTED_TOTAL = 4248n; // 2 x 1999 + 1 x 250, the benchmark order

/**
 * One call of every kind the generators will make, checked for the right
 * answer. h2load cannot see gRPC statuses, so this is what proves that the
 * GetUser bytes it repeats are answered with the user, not with an error.
 */
export async function preflight(ports: BenchSystem['ports'], databases: BenchDatabases): Promise<PreflightFacts> {
  const userId = getUserTarget(databases);
  const frame = getUserFrame(userId);
  let responseBytes = 0;
  for (const key of ['user-service', 'baseline-user'] as const) {
    const answer = await rawGrpcCall(`http://127.0.0.1:${ports[key]}`, GRPC_CALLS.getUser.path, frame);
    const message = answer.messages[0];
    if (answer.grpcStatus !== '0' || !message) throw new Error(`${key} GetUser answered grpc-status ${answer.grpcStatus}: ${answer.grpcMessage}`);
    const user = GRPC_CALLS.getUser.response.deserialize(message);
    if (user.id !== userId) throw new Error(`${key} GetUser returned user ${user.id}, expected ${userId}`);
    if (key === 'user-service') responseBytes = message.length;
  }

  for (const key of ['order-service', 'baseline-order'] as const) {
    const { templates } = createOrderTemplates([userId], `bench-preflight-${key}-${Date.now().toString(36)}`);
    const answer = await rawGrpcCall(`http://127.0.0.1:${ports[key]}`, GRPC_CALLS.createOrder.path, templates[0] as Buffer);
    const message = answer.messages[0];
    if (answer.grpcStatus !== '0' || !message) throw new Error(`${key} CreateOrder answered grpc-status ${answer.grpcStatus}: ${answer.grpcMessage}`);
    const order = GRPC_CALLS.createOrder.response.deserialize(message);
    if (order.userId !== userId || order.totalCents !== EXPECTED_TOTAL) {
      throw new Error(`${key} CreateOrder returned an unexpected order: ${JSON.stringify(toJson(orderV1.OrderSchema, order))}`);
    }
  }

  const gateway = `http://127.0.0.1:${ports['api-gateway']}`;
  const userResponse = await fetch(`${gateway}/users/${userId}`);
  const userBody = await userResponse.text();
  if (userResponse.status !== 200 || (JSON.parse(userBody) as { id?: string }).id !== userId) {
    throw new Error(`gateway GET /users/${userId} answered ${userResponse.status}: ${userBody}`);
  }
  const orderResponse = await fetch(`${gateway}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `bench-preflight-gateway-${Date.now().toString(36)}` },
    body: JSON.stringify({ userId, items: ORDER_ITEMS_JSON }),
  });
  const orderBody = await orderResponse.text();
  if (orderResponse.status !== 201 || (JSON.parse(orderBody) as { totalCents?: string }).totalCents !== String(EXPECTED_TOTAL)) {
    throw new Error(`gateway POST /orders answered ${orderResponse.status}: ${orderBody}`);
  }

  return {
    grpcGetUserRequestBytes: frame.length - 5,
    grpcGetUserResponseBytes: responseBytes,
    restGetUserResponseBytes: Buffer.byteLength(userBody),
  };
}

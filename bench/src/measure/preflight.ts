import type { BenchDatabases } from '../system/databases';
import type { ProcessKey } from '../system/services';
import { createOrderTemplates, grpcMethods } from '../load/grpc-messages';
import { getUserFrame, getUserTarget } from '../load/variant-load';
import { rawGrpcCall } from './grpc-call';

export interface PreflightFacts {
  /** Sizes of the GetUser messages and of the REST answer, for the protocol table. */
  readonly grpcGetUserRequestBytes: number;
  readonly grpcGetUserResponseBytes: number;
  readonly restGetUserResponseBytes: number;
}

const EXPECTED_TOTAL = '4248'; // 2 x 1999 + 1 x 250, the benchmark order

/**
 * One call of every kind the generators will make, checked for the right
 * answer. h2load cannot see gRPC statuses, so this is what proves that the
 * GetUser bytes it repeats are answered with the user, not with an error.
 */
export async function preflight(ports: Record<ProcessKey, number>, databases: BenchDatabases): Promise<PreflightFacts> {
  const userId = getUserTarget(databases);
  const frame = getUserFrame(userId);
  let responseBytes = 0;
  for (const key of ['user-service', 'baseline-user'] as const) {
    const answer = await rawGrpcCall(`http://127.0.0.1:${ports[key]}`, '/acme.user.v1.UserService/GetUser', frame);
    const message = answer.messages[0];
    if (answer.grpcStatus !== '0' || !message) throw new Error(`${key} GetUser answered grpc-status ${answer.grpcStatus}: ${answer.grpcMessage}`);
    const user = grpcMethods().getUser.responseDeserialize(message);
    if (user.id !== userId) throw new Error(`${key} GetUser returned user ${user.id}, expected ${userId}`);
    if (key === 'user-service') responseBytes = message.length;
  }

  for (const key of ['order-service', 'baseline-order'] as const) {
    const { templates } = createOrderTemplates([userId], `bench-preflight-${key}-${Date.now().toString(36)}`);
    const answer = await rawGrpcCall(`http://127.0.0.1:${ports[key]}`, '/acme.order.v1.OrderService/CreateOrder', templates[0] as Buffer);
    const message = answer.messages[0];
    if (answer.grpcStatus !== '0' || !message) throw new Error(`${key} CreateOrder answered grpc-status ${answer.grpcStatus}: ${answer.grpcMessage}`);
    const order = grpcMethods().createOrder.responseDeserialize(message);
    if (order.userId !== userId || order.totalCents !== EXPECTED_TOTAL) {
      throw new Error(`${key} CreateOrder returned an unexpected order: ${JSON.stringify(order)}`);
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
    body: JSON.stringify({ userId, items: [{ sku: 'BOOK-42', quantity: 2, unitPriceCents: '1999' }, { sku: 'PEN-7', quantity: 1, unitPriceCents: '250' }] }),
  });
  const orderBody = await orderResponse.text();
  if (orderResponse.status !== 201 || (JSON.parse(orderBody) as { totalCents?: string }).totalCents !== EXPECTED_TOTAL) {
    throw new Error(`gateway POST /orders answered ${orderResponse.status}: ${orderBody}`);
  }

  return {
    grpcGetUserRequestBytes: frame.length - 5,
    grpcGetUserResponseBytes: responseBytes,
    restGetUserResponseBytes: Buffer.byteLength(userBody),
  };
}

import { create, toJson, type DescMessage, type DescMethod, type DescService, type MessageInitShape } from '@bufbuild/protobuf';
import { grpcCodec, orderV1, SERVICES, type GrpcCodec, type MethodsOf } from '@acme/contracts';
import { grpcFrame } from '@acme/testing';
import { GrpcMessageReader } from './grpc-message-reader';

// Request bodies for the generators (and answers for the preflight), encoded
// and decoded with the generated codecs the services use.

/** Method K of service S as a raw client calls it: its path, and the codecs of its request and response. */
export interface GrpcCall<S extends DescService, K extends keyof MethodsOf<S>> {
  readonly path: string;
  readonly request: GrpcCodec<MethodsOf<S>[K]['input']>;
  readonly response: GrpcCodec<MethodsOf<S>[K]['output']>;
}

function call<I extends DescMessage, O extends DescMessage>(method: DescMethod & { input: I; output: O }) {
  return { path: `/${method.parent.typeName}/${method.name}`, request: grpcCodec(method.input), response: grpcCodec(method.output) };
}

/** The calls the generators make (the streams' codecs are of one message of the stream). */
export const GRPC_CALLS: {
  readonly getUser: GrpcCall<typeof SERVICES.user, 'getUser'>;
  readonly createUser: GrpcCall<typeof SERVICES.user, 'createUser'>;
  readonly importUsers: GrpcCall<typeof SERVICES.user, 'importUsers'>;
  readonly createOrder: GrpcCall<typeof SERVICES.order, 'createOrder'>;
  readonly cancelOrder: GrpcCall<typeof SERVICES.order, 'cancelOrder'>;
  readonly watchOrders: GrpcCall<typeof SERVICES.order, 'watchOrders'>;
} = {
  getUser: call(SERVICES.user.method.getUser),
  createUser: call(SERVICES.user.method.createUser),
  importUsers: call(SERVICES.user.method.importUsers),
  createOrder: call(SERVICES.order.method.createOrder),
  cancelOrder: call(SERVICES.order.method.cancelOrder),
  watchOrders: call(SERVICES.order.method.watchOrders),
};

/** The messages of a whole response body (length-prefixed frames, uncompressed). */
export function grpcUnframe(body: Buffer): Buffer[] {
  const reader = new GrpcMessageReader();
  const messages = reader.push(body);
  if (reader.pendingBytes > 0) throw new Error(`the body ends inside a message (${reader.pendingBytes} bytes of it)`);
  return messages;
}

/** The items every benchmark order has. */
export const ORDER_ITEMS: MessageInitShape<typeof orderV1.OrderItemSchema>[] = [
  { sku: 'BOOK-42', quantity: 2, unitPriceCents: 1999n },
  { sku: 'PEN-7', quantity: 1, unitPriceCents: 250n },
];

/** The same items as the HTTP scenario sends them: their proto3 JSON (int64 as decimal strings), which is the gateway's shape. */
export const ORDER_ITEMS_JSON = ORDER_ITEMS.map((item) => toJson(orderV1.OrderItemSchema, create(orderV1.OrderItemSchema, item)));

export const COUNTER_WIDTH = 12;

/**
 * One CreateOrder frame per user, with the idempotency key
 * `${keyPrefix}-<12 digits>`; the generator overwrites the digits per request.
 * Returns the frames and where the digits are (the same in every frame: user
 * ids have one length).
 */
export function createOrderTemplates(userIds: readonly string[], keyPrefix: string): { templates: Buffer[]; counterOffset: number } {
  const placeholder = `${keyPrefix}-${'0'.repeat(COUNTER_WIDTH)}`;
  let counterOffset: number | undefined;
  const templates = userIds.map((userId) => {
    const frame = grpcFrame(GRPC_CALLS.createOrder.request.serialize({ userId, items: ORDER_ITEMS, idempotencyKey: placeholder }));
    const offset = frame.indexOf(placeholder, 0, 'latin1') + keyPrefix.length + 1;
    if (counterOffset !== undefined && offset !== counterOffset) throw new Error('user ids of different lengths');
    counterOffset = offset;
    return frame;
  });
  if (counterOffset === undefined) throw new Error('no user to order for');
  return { templates, counterOffset };
}

/**
 * A CreateUser frame for a new user per request: the email is
 * `${emailPrefix}-<12 digits>@example.com`, and the generator writes its
 * request counter into the digits. Returns where they are.
 */
export function createUserTemplate(emailPrefix: string): { template: Buffer; counterOffset: number } {
  const placeholder = `${emailPrefix}-${'0'.repeat(COUNTER_WIDTH)}`;
  const template = grpcFrame(GRPC_CALLS.createUser.request.serialize({ email: `${placeholder}@example.com`, name: 'Bench User', idempotencyKey: '' }));
  return { template, counterOffset: template.indexOf(placeholder, 0, 'latin1') + emailPrefix.length + 1 };
}

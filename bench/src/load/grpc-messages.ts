import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { PROTO_FILES, PROTO_LOADER_OPTIONS, PROTO_ROOT, SERVICE_NAMES, type orderV1, type userV1 } from '@acme/contracts';
import { grpcFrame } from '@acme/testing';

// Request bodies for the generators, encoded from the same protos and with
// the same loader options as the services use.

type Method<Req, Res> = MethodDefinition<Req, Res>;

function loadMethods() {
  const definition = loadSync([PROTO_FILES.user, PROTO_FILES.order], { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
  const method = <Req, Res>(service: string, name: string) => {
    const found = (definition[service] as unknown as Record<string, Method<Req, Res>> | undefined)?.[name];
    if (!found) throw new Error(`${service}/${name} is not in the protos`);
    return found;
  };
  return {
    getUser: method<userV1.GetUserRequest, userV1.User>(SERVICE_NAMES.user, 'GetUser'),
    createOrder: method<orderV1.CreateOrderRequest, orderV1.Order>(SERVICE_NAMES.order, 'CreateOrder'),
  };
}

let methods: ReturnType<typeof loadMethods> | undefined;
export const grpcMethods = () => (methods ??= loadMethods());


/** The messages of a response body (length-prefixed frames, uncompressed). */
export function grpcUnframe(body: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  for (let offset = 0; offset < body.length; ) {
    if (body[offset] !== 0) throw new Error('compressed gRPC message: not expected here');
    const length = body.readUInt32BE(offset + 1);
    messages.push(body.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  return messages;
}

/** The items every benchmark order has (the HTTP scenario sends the same ones as JSON). */
export const ORDER_ITEMS: orderV1.OrderItem[] = [
  { sku: 'BOOK-42', quantity: 2, unitPriceCents: '1999' },
  { sku: 'PEN-7', quantity: 1, unitPriceCents: '250' },
];

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
    const frame = grpcFrame(grpcMethods().createOrder.requestSerialize({ userId, items: ORDER_ITEMS, idempotencyKey: placeholder }));
    const offset = frame.indexOf(placeholder, 0, 'latin1') + keyPrefix.length + 1;
    if (counterOffset !== undefined && offset !== counterOffset) throw new Error('user ids of different lengths');
    counterOffset = offset;
    return frame;
  });
  if (counterOffset === undefined) throw new Error('no user to order for');
  return { templates, counterOffset };
}

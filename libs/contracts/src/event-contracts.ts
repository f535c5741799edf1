import { create, fromBinary, toBinary, type Message, type MessageInitShape } from '@bufbuild/protobuf';
import type { GenMessage } from '@bufbuild/protobuf/codegenv2';
import { OrderCancelledSchema, OrderCreatedSchema } from './gen/acme/order/v1/events_pb';
import { UserDeletedSchema } from './gen/acme/user/v1/events_pb';

/** An event message: every event carries its id (the AMQP message-id, the inbox key). */
export type EventMessage = Message & { eventId: string };

/**
 * How one event type travels over AMQP: the value of the message's `type`
 * property (the fully qualified protobuf name), the routing key on the events
 * exchange, and the generated binary codec. Publisher and consumer both take
 * these from here, so they cannot disagree.
 */
export interface EventContract<T extends EventMessage = EventMessage> {
  readonly type: string;
  readonly routingKey: string;
  /** The message from its fields; proto3 defaults for those not given. */
  create(init: MessageInitShape<GenMessage<T>>): T;
  encode(message: T): Uint8Array;
  /**
   * Throws when the bytes are not a valid encoding of this message, strings
   * that are not UTF-8 included: an event is never changed on its way in.
   */
  decode(bytes: Uint8Array): T;
}

const contract = <T extends EventMessage>(schema: GenMessage<T>, routingKey: string): EventContract<T> => ({
  type: schema.typeName,
  routingKey,
  create: (init) => create(schema, init),
  encode: (message) => toBinary(schema, message),
  decode: (bytes) => fromBinary(schema, bytes),
});

/** Every event of the system. Routing keys read <domain>.<version>.<what happened>. */
export const EVENTS = {
  userDeleted: contract(UserDeletedSchema, 'user.v1.deleted'),
  orderCreated: contract(OrderCreatedSchema, 'order.v1.created'),
  orderCancelled: contract(OrderCancelledSchema, 'order.v1.cancelled'),
} as const;

/** The event whose AMQP `type` (its fully qualified protobuf name) is `type`, if the system has one. */
export const eventContractOf = (type: string): EventContract | undefined => Object.values(EVENTS).find((event) => event.type === type);

import { BinaryReader, type BinaryWriter } from '@bufbuild/protobuf/wire';
import { OrderCancelled, OrderCreated } from './gen-events/acme/order/v1/events';
import { UserDeleted } from './gen-events/acme/user/v1/events';

/**
 * How one event type travels over AMQP: the value of the message's `type`
 * property (the fully qualified protobuf name), the routing key on the events
 * exchange, and the binary codec. Publisher and consumer both take these from
 * here, so they cannot disagree.
 */
export interface EventContract<T extends { eventId: string }> {
  readonly type: string;
  readonly routingKey: string;
  encode(message: T): Uint8Array;
  /** Throws when the bytes are not a valid encoding of this message. */
  decode(bytes: Uint8Array): T;
}

interface GeneratedMessage<T> {
  readonly $type: string;
  encode(message: T): BinaryWriter;
  decode(input: BinaryReader): T;
}

// The generated decoder turns bytes that are not UTF-8 into U+FFFD unless
// the reader is given a decoder that refuses them: an event is never changed
// on its way in.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const decodeStrictUtf8 = (bytes: Uint8Array): string => strictUtf8.decode(bytes);

const contract = <T extends { eventId: string }>(message: GeneratedMessage<T>, routingKey: string): EventContract<T> => ({
  type: message.$type,
  routingKey,
  encode: (value) => message.encode(value).finish(),
  decode: (bytes) => {
    const reader = new BinaryReader(bytes, decodeStrictUtf8);
    const decoded = message.decode(reader);
    // The generated decoder stops quietly at a stray end-group tag, so some
    // garbage would pass as an empty message: insist that every byte was read.
    if (reader.pos !== reader.len) {
      throw new Error(`invalid encoding: stopped at byte ${reader.pos} of ${reader.len}`);
    }
    return decoded;
  },
});

/** Every event of the system. Routing keys read <domain>.<version>.<what happened>. */
export const EVENTS = {
  userDeleted: contract(UserDeleted, 'user.v1.deleted'),
  orderCreated: contract(OrderCreated, 'order.v1.created'),
  orderCancelled: contract(OrderCancelled, 'order.v1.cancelled'),
} as const;

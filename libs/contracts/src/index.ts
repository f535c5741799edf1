// Public surface of @acme/contracts. Everything under ./gen is generated from
// proto/ by `npm run proto:generate`; this file and the helpers beside it are
// the only hand-written parts.
export * as userV1 from './gen/acme/user/v1/user';
export * as orderV1 from './gen/acme/order/v1/order';
export type { Timestamp } from './gen/google/protobuf/timestamp';
export * from './proto-files';
export * from './loader-options';
export * from './timestamp';
// Events: generated with binary codecs (buf.gen.events.yaml), and how each travels over AMQP.
export * as userEventsV1 from './gen-events/acme/user/v1/events';
export * as orderEventsV1 from './gen-events/acme/order/v1/events';
export * from './event-contracts';
export * from './service-contracts';

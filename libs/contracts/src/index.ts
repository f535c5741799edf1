// Public surface of @acme/contracts. Everything under ./gen is generated from
// proto/ by `npm run proto:generate` (protoc-gen-es: messages, codecs,
// descriptors); the files beside it are the only hand-written parts.
export * as userV1 from './gen/acme/user/v1/user_pb';
export * as orderV1 from './gen/acme/order/v1/order_pb';
export * as userEventsV1 from './gen/acme/user/v1/events_pb';
export * as orderEventsV1 from './gen/acme/order/v1/events_pb';
export * from './event-contracts';
export * from './grpc-service-definition';
export * from './registry';
export * from './service-contracts';
export * from './service-shapes';
export * from './stream-shapes';
export * from './field-rules';
export { PROTO_COMMENTS } from './gen/comments';
export * from './http-rules';
export * from './access-rules';
export * from './scalar-ranges';

// Test helpers for code that uses @acme/messaging: a vhost per run and a tap
// to await messages. (To make the broker go away on demand: TcpProxy from
// @acme/testing.)
export * from './test-vhost';
export * from './event-tap';

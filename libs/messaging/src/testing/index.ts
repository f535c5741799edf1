// Test helpers for code that uses @acme/messaging: a vhost per run, a proxy
// that makes the broker go away on demand, and a tap to await messages.
export * from './test-vhost';
export * from './tcp-proxy';
export * from './event-tap';

import { SERVICES } from '@acme/contracts';
import { peerPolicy } from '@acme/grpc-kit';

/**
 * Which workloads may call each OrderService RPC (checked against the peer's
 * certificate with GRPC_TLS=on, before any token is looked at). A table here
 * rather than a proto option: who calls a service is this deployment's
 * topology, decided by the service that is called, not part of its API.
 */
export const ORDER_SERVICE_PEERS = peerPolicy(SERVICES.order, {
  createOrder: ['api-gateway'],
  getOrder: ['api-gateway'],
  listOrders: ['api-gateway'],
  cancelOrder: ['api-gateway'],
  watchOrders: ['api-gateway'],
});

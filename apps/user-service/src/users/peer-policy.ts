import { SERVICES } from '@acme/contracts';
import { peerPolicy } from '@acme/grpc-kit';

/**
 * Which workloads may call each UserService RPC (checked against the peer's
 * certificate with GRPC_TLS=on, before any token is looked at). A table here
 * rather than a proto option: who calls a service is this deployment's
 * topology, decided by the service that is called, and changes without any
 * change to the API every client is generated from.
 */
export const USER_SERVICE_PEERS = peerPolicy(SERVICES.user, {
  // order-service confirms the user of an order and whether the caller may act for them.
  getUser: ['order-service', 'api-gateway'],
  createUser: ['api-gateway'],
  deleteUser: ['api-gateway'],
  listUsers: ['api-gateway'],
  importUsers: ['api-gateway'],
});

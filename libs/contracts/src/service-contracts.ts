import * as order from './gen/acme/order/v1/order';
import * as user from './gen/acme/user/v1/user';
import { PROTO_FILES } from './proto-files';

/** Where a gRPC service is defined: enough for a client to load it. */
export interface ServiceContract {
  /** Proto package, e.g. acme.user.v1. */
  readonly package: string;
  /** Service name inside the package, e.g. UserService. */
  readonly service: string;
  /** File defining it, relative to PROTO_ROOT. */
  readonly protoFile: string;
}

export const USER_SERVICE_CONTRACT: ServiceContract = {
  package: user.ACME_USER_V1_PACKAGE_NAME,
  service: user.USER_SERVICE_NAME,
  protoFile: PROTO_FILES.user,
};

export const ORDER_SERVICE_CONTRACT: ServiceContract = {
  package: order.ACME_ORDER_V1_PACKAGE_NAME,
  service: order.ORDER_SERVICE_NAME,
  protoFile: PROTO_FILES.order,
};

import type { ServiceDefinition } from '@grpc/grpc-js';
import type { DescMessage, Message } from '@bufbuild/protobuf';
import { RejectedRequest, withRequestDeserializers, type Deserialize } from '../request-decoding';
import { requestMessageOf } from '../request-decoding/request-descriptors';
import { firstRuleViolation, prepareRuleValidation } from './request-validator';

/**
 * A copy of a (strictly decoding) service definition whose decoded requests
 * are also checked against their proto's buf.validate rules: a request that
 * breaks one becomes a RejectedRequest (`items[2].quantity: must be between
 * 1 and 10000, got 0`), answered INVALID_ARGUMENT by rejectMalformedRequests
 * before any handler runs. So every RPC validates its request without a line
 * of its own, and a rule added to the proto is enforced on the next build.
 */
export const withRuleValidation = <S extends ServiceDefinition>(service: S): S =>
  withRequestDeserializers(service, (method) => {
    const schema = requestMessageOf(method.path);
    return schema ? validating(schema, method.requestDeserialize) : method.requestDeserialize;
  });

function validating(schema: DescMessage, decode: Deserialize): Deserialize {
  prepareRuleValidation(schema);
  return (bytes) => {
    const request = decode(bytes);
    if (request instanceof RejectedRequest) return request;
    // Decoded by the generated codec of `schema` (strict decoding), so a message of it.
    const violation = firstRuleViolation(schema, request as Message);
    return violation ? new RejectedRequest(`${violation.field}: ${violation.reason}`) : request;
  };
}

import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { isMessage, type DescMessage } from '@bufbuild/protobuf';
import { RejectedRequest } from '../request-decoding';
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
export function withRuleValidation<S extends ServiceDefinition>(service: S): S {
  const checked: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service as Record<string, MethodDefinition<unknown, unknown>>)) {
    const schema = requestMessageOf(method.path);
    checked[name] = schema ? { ...method, requestDeserialize: validating(schema, method.requestDeserialize) } : method;
  }
  return checked as S;
}

function validating(schema: DescMessage, decode: (bytes: Buffer) => unknown): (bytes: Buffer) => unknown {
  prepareRuleValidation(schema);
  return (bytes) => {
    const request = decode(bytes);
    if (!isMessage(request, schema)) return request; // a RejectedRequest already
    const violation = firstRuleViolation(schema, request);
    return violation ? new RejectedRequest(`${violation.field}: ${violation.reason}`) : request;
  };
}

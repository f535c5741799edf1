import { create, type DescService } from '@bufbuild/protobuf';
import { firstRuleViolation, prepareRuleValidation, type Upstream } from '@acme/grpc-kit';
import { EdgeValidationError } from '../http/validation-error';

/**
 * The same client, checking each request against the field rules of its
 * proto (buf.validate) before it leaves: a request that breaks one is
 * answered 400 here, naming the field as the client wrote it
 * (`items[0].unitPriceCents`), with the words the service would use.
 * protovalidate enforces the rules here and in the services alike.
 * A client stream's items pass unchecked: the service reports each item's
 * failure by its index and goes on, which a refusal here would not.
 */
export function checkRulesAtEdge<S extends DescService>(service: S, client: Upstream<S>): Upstream<S> {
  const checked: Record<string, unknown> = { close: () => client.close() };
  for (const method of service.methods) {
    const call = (client as Record<string, unknown>)[method.localName] as ((request: unknown, ...rest: unknown[]) => unknown) | undefined;
    if (!call) continue;
    if (method.methodKind === 'client_streaming') {
      checked[method.localName] = call;
      continue;
    }
    prepareRuleValidation(method.input);
    const check = (request: never) => {
      const message = create(method.input, request);
      const violation = firstRuleViolation(method.input, message, 'json');
      if (violation) throw new EdgeValidationError(violation.field, violation.reason);
      return message;
    };
    checked[method.localName] =
      method.methodKind === 'server_streaming'
        ? (request: never, ...rest: unknown[]) => call(check(request), ...rest)
        : async (request: never, ...rest: unknown[]) => call(check(request), ...rest);
  }
  return checked as Upstream<S>;
}

import type { DescMessage, DescMethod, DescService } from '@bufbuild/protobuf';
import { grpcCodec, type MethodsOf, type RequestInitOf } from '@acme/contracts';

/**
 * For each RPC of a generated service (e.g. typeof userV1.UserService), its
 * largest valid request: every field at the largest size the service's rules
 * accept. The type makes a new RPC a compile error until its entry exists.
 */
export type LargestRequests<S extends DescService> = {
  readonly [K in keyof MethodsOf<S>]: RequestInitOf<S, K>;
};

/** Any service's LargestRequests, as the functions below take them. */
type AnyLargestRequests = Readonly<Record<string, object>>;

/**
 * Limit over the largest valid request: room for a request just past a rule
 * (one item too many) to reach the rules and be refused with their message,
 * for fields a newer client adds that this server does not know yet, and for
 * other clients' encodings. 4 MiB (grpc-js's default) would let a request
 * hundreds of times larger than any valid one be buffered and decoded.
 */
const HEADROOM = 2;

/** The encoded size, in bytes, of each RPC's largest request, with the codec the server decodes with. */
export function largestRequestSizes(service: DescService, largest: AnyLargestRequests): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const [method, request] of Object.entries(largest)) {
    sizes[method] = grpcCodec(methodNamed(service, method).input).serialize(request as never).length;
  }
  return sizes;
}

/** grpc.max_receive_message_length for a server of `service`: its largest valid request with headroom, in whole KiB. */
export function maxReceiveMessageBytes(service: DescService, largest: AnyLargestRequests): number {
  const largestBytes = Math.max(...Object.values(largestRequestSizes(service, largest)));
  return Math.ceil((largestBytes * HEADROOM) / 1024) * 1024;
}

/**
 * Fields that a largest request leaves empty (as `CreateOrder.items[0].sku`),
 * nested messages included: each must be at its maximum, or a field added to
 * a request later would not count towards the limit.
 */
export function unsetRequestFields(service: DescService, largest: AnyLargestRequests): string[] {
  return Object.entries(largest).flatMap(([name, request]) => {
    const method = methodNamed(service, name);
    return unsetFields(method.input, request as Record<string, unknown>, method.name);
  });
}

function unsetFields(message: DescMessage, value: Record<string, unknown>, path: string): string[] {
  return message.fields.flatMap((field) => {
    const fieldPath = `${path}.${field.name}`;
    const fieldValue = value[field.localName];
    const empty = fieldValue === undefined || fieldValue === '' || fieldValue === 0 || fieldValue === 0n || fieldValue === false;
    if (empty || (Array.isArray(fieldValue) && fieldValue.length === 0)) return [fieldPath];
    if (field.fieldKind === 'message') return unsetFields(field.message, fieldValue as Record<string, unknown>, fieldPath);
    if (field.fieldKind === 'list' && field.listKind === 'message') {
      return unsetFields(field.message, (fieldValue as Record<string, unknown>[])[0]!, `${fieldPath}[0]`);
    }
    return [];
  });
}

/** The method whose generated name (camelCase, e.g. createOrder) is `name`. */
function methodNamed(service: DescService, name: string): DescMethod {
  const method = service.methods.find((m) => m.localName === name);
  if (!method) throw new Error(`${service.typeName} has no method ${name}`);
  return method;
}

/** For largest requests: every UUID (ids in requests) is 36 bytes, this one as good as any. */
export const ANY_UUID = '01a2175a-62b6-7650-893f-60b1730166e9';

/** For largest requests: `codePoints` characters of the widest UTF-8 encoding, 4 bytes each. */
export const widestText = (codePoints: number): string => '😀'.repeat(codePoints);

import { type MethodDefinition, type ServerInterceptor, ServerInterceptingCall, type ServiceDefinition, status } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { requestMessageOf } from './request-descriptors';
import { stringFieldCheckFor } from './string-fields';

// A malformed request is the client's fault, but grpc-js answers INTERNAL
// ("Error deserializing request") whenever a deserializer throws. So the
// deserializers installed here never throw: for bytes they refuse they return
// a RejectedRequest, and the rejectMalformedRequests interceptor answers that
// with INVALID_ARGUMENT before any handler runs. Everything that depends on
// the codec (protobufjs through @grpc/proto-loader today) is in this folder.

/** Stands in for a request the strict deserializer refused. */
export class RejectedRequest {
  constructor(readonly reason: string) {}
}

type Deserialize = (bytes: Buffer) => unknown;
const strictDeserializers = new WeakSet<Deserialize>();

/**
 * `decode`, made strict: bytes that are not a valid encoding of the request
 * message (as far as the decoder or the string check can tell), and string
 * fields that are not UTF-8, become a RejectedRequest with a reason naming
 * the message type and the field.
 */
export function strictDeserializer(path: string, decode: Deserialize): Deserialize {
  if (strictDeserializers.has(decode)) return decode;
  const message = requestMessageOf(path);
  const what = message ? `a valid ${message.typeName}` : `a valid request for ${path}`;
  const checkStrings = message && stringFieldCheckFor(message);
  const strict: Deserialize = (bytes) => {
    let request: unknown;
    try {
      request = decode(bytes);
    } catch (error) {
      return new RejectedRequest(`request is not ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const found = checkStrings?.(bytes);
    if (found === undefined) return request;
    if (found.problem === 'utf8') return new RejectedRequest(`${found.path}: must be valid UTF-8`);
    return new RejectedRequest(`request is not ${what}: ${found.path === '' ? '' : `${found.path}: `}${found.problem}`);
  };
  strictDeserializers.add(strict);
  return strict;
}

/** A copy of a grpc-js service definition whose request deserializers are strict. */
export function withStrictDecoding<S extends ServiceDefinition>(service: S): S {
  const strict: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service as Record<string, MethodDefinition<unknown, unknown>>)) {
    strict[name] = { ...method, requestDeserialize: strictDeserializer(method.path, method.requestDeserialize) };
  }
  return strict as S;
}

/** Makes every service of a proto-loader package definition strict, in place (before grpc-js loads it). */
export function useStrictDecoding(definition: PackageDefinition): void {
  for (const [name, entry] of Object.entries(definition)) {
    const values = Object.values(entry as object) as { path?: unknown; requestDeserialize?: unknown }[];
    const isService = !('format' in entry) && values.length > 0 && values.every((m) => typeof m.path === 'string' && typeof m.requestDeserialize === 'function');
    if (isService) definition[name] = withStrictDecoding(entry as ServiceDefinition) as PackageDefinition[string];
  }
}

/**
 * Answers INVALID_ARGUMENT for a RejectedRequest, so no handler ever sees
 * one. Must be the outermost interceptor (last in the list): a status it
 * sends passes through the interceptors below it, e.g. the access log.
 * (About 0.1 us a call.)
 */
export const rejectMalformedRequests: ServerInterceptor = (_method, call) => {
  const intercepted: ServerInterceptingCall = new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMessage: (message, forward) => {
          // Not forwarding the message also holds back the half-close: the handler never starts.
          if (message instanceof RejectedRequest) intercepted.sendStatus({ code: status.INVALID_ARGUMENT, details: message.reason });
          else forward(message);
        },
      }),
  });
  return intercepted;
};

import { type Metadata, type MethodDefinition, type ServerInterceptor, type ServiceDefinition, status } from '@grpc/grpc-js';
import { type CallListener, intercepted, PassThroughCall } from '../server/pass-through-call';
import { grpcCodec } from '@acme/contracts';
import { requestMessageOf } from './request-descriptors';
import { stringFieldCheckFor } from './string-fields';

// A malformed request is the client's fault, but grpc-js answers INTERNAL
// ("Error deserializing request") whenever a deserializer throws. So the
// deserializers installed here never throw: for bytes they refuse they return
// a RejectedRequest, and the rejectMalformedRequests interceptor answers that
// with INVALID_ARGUMENT before any handler runs. Everything that depends on
// the codec (the generated protobuf-es codecs) is in this folder.

/** Stands in for a request the strict deserializer refused. */
export class RejectedRequest {
  constructor(readonly reason: string) {}
}

export type Deserialize = (bytes: Buffer) => unknown;
const strictDeserializers = new WeakSet<Deserialize>();

/**
 * `decode`, made strict: bytes the generated decoder refuses (not a valid
 * encoding of the request message, or a string field that is not UTF-8)
 * become a RejectedRequest with a reason naming the message type, or the
 * field for invalid UTF-8.
 */
export function strictDeserializer(path: string, decode: Deserialize): Deserialize {
  if (strictDeserializers.has(decode)) return decode;
  const message = requestMessageOf(path);
  const what = message ? `a valid ${message.typeName}` : `a valid request for ${path}`;
  const checkStrings = message && stringFieldCheckFor(message);
  // Services registered by libraries (grpc.health.v1 by grpc-health-check)
  // bring their own lenient codec: their requests are decoded by the generated one too.
  const decodeStrictly = message ? grpcCodec(message).deserialize : decode;
  const strict: Deserialize = (bytes) => {
    try {
      return decodeStrictly(bytes);
    } catch (error) {
      // Name the field where the walk finds it (the decoder only says what went wrong).
      const found = checkStrings?.(bytes);
      if (found?.problem === 'utf8') return new RejectedRequest(`${found.path}: must be valid UTF-8`);
      const reason = found ? `${found.path === '' ? '' : `${found.path}: `}${found.problem}` : error instanceof Error ? error.message : String(error);
      return new RejectedRequest(`request is not ${what}: ${reason}`);
    }
  };
  strictDeserializers.add(strict);
  return strict;
}

/**
 * A copy of a grpc-js service definition with each method's request
 * deserializer replaced by `wrap(method)`: how the request checks below and
 * in request-validation/ install themselves.
 */
export function withRequestDeserializers<S extends ServiceDefinition>(service: S, wrap: (method: MethodDefinition<unknown, unknown>) => Deserialize): S {
  const wrapped: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service as Record<string, MethodDefinition<unknown, unknown>>)) {
    wrapped[name] = { ...method, requestDeserialize: wrap(method) };
  }
  return wrapped as S;
}

/** A copy of a grpc-js service definition whose request deserializers are strict. */
export const withStrictDecoding = <S extends ServiceDefinition>(service: S): S =>
  withRequestDeserializers(service, (method) => strictDeserializer(method.path, method.requestDeserialize));

/**
 * Answers INVALID_ARGUMENT for a RejectedRequest, so no unary or
 * server-streaming handler ever sees one. A client stream's RejectedRequest is
 * passed on: one bad item does not end the stream, its handler reports it
 * by index (StreamedRequest). Must be the outermost interceptor (last in the list): a status it
 * sends passes through the interceptors below it, e.g. the access log.
 * (About 0.1 us a call.)
 */
export const rejectMalformedRequests: ServerInterceptor = (method, call) => intercepted(method.requestStream ? call : new MalformedRequestGuard(call));

/**
 * The call and its own listener in one object (PassThroughCall): it checks
 * the one request, then only forwards, holding nothing per message.
 */
class MalformedRequestGuard extends PassThroughCall implements CallListener {
  private listener: CallListener | undefined;
  private rejected = false;

  override start(listener: CallListener): void {
    this.listener = listener;
    this.next.start(this);
  }

  onReceiveMetadata(metadata: Metadata): void {
    this.listener?.onReceiveMetadata(metadata);
  }

  onReceiveMessage(message: unknown): void {
    if (!(message instanceof RejectedRequest)) {
      this.listener?.onReceiveMessage(message);
      return;
    }
    this.rejected = true;
    this.sendStatus({ code: status.INVALID_ARGUMENT, details: message.reason });
  }

  onReceiveHalfClose(): void {
    // Held back after a refused request: the handler never starts.
    if (!this.rejected) this.listener?.onReceiveHalfClose();
  }

  onCancel(): void {
    this.listener?.onCancel();
  }
}

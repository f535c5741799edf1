import type { Metadata, ServerInterceptingCall, ServerInterceptingCallInterface } from '@grpc/grpc-js';

/** What grpc-js hands a call's start() (its InterceptingServerListener, not exported by name). */
export type CallListener = Parameters<ServerInterceptingCallInterface['start']>[0];
/** What a call's sendStatus() takes. */
export type SentStatus = Parameters<ServerInterceptingCallInterface['sendStatus']>[0];

/**
 * A server interceptor's call that forwards everything to the next one; the
 * kit's interceptors extend it and override the method or two they need.
 *
 * grpc-js's ServerInterceptingCall keeps, for the life of each call, a
 * responder object, an intercepting listener with its pending-message and
 * pending-status state, and the closures between them: made for
 * interceptors that may act asynchronously on any message. Ours act on the
 * start or the end of a call (and on a unary call's one request), so they
 * need none of it; on a server stream held open for hours (a watch) that
 * state is per stream, most of what the kit's interceptors cost. A subclass
 * that acts asynchronously (the access check) holds back what arrives
 * meanwhile itself.
 */
export class PassThroughCall implements ServerInterceptingCallInterface {
  constructor(protected readonly next: ServerInterceptingCallInterface) {}

  start(listener: CallListener): void {
    this.next.start(listener);
  }
  sendMetadata(metadata: Metadata): void {
    this.next.sendMetadata(metadata);
  }
  sendMessage(message: unknown, callback: () => void): void {
    this.next.sendMessage(message, callback);
  }
  sendStatus(status: SentStatus): void {
    this.next.sendStatus(status);
  }
  startRead(): void {
    this.next.startRead();
  }
  getPeer(): string {
    return this.next.getPeer();
  }
  getDeadline(): ReturnType<ServerInterceptingCallInterface['getDeadline']> {
    return this.next.getDeadline();
  }
  getHost(): string {
    return this.next.getHost();
  }
  getAuthContext(): ReturnType<ServerInterceptingCallInterface['getAuthContext']> {
    return this.next.getAuthContext();
  }
  getConnectionInfo(): ReturnType<ServerInterceptingCallInterface['getConnectionInfo']> {
    return this.next.getConnectionInfo();
  }
  getMetricsRecorder(): ReturnType<ServerInterceptingCallInterface['getMetricsRecorder']> {
    return this.next.getMetricsRecorder();
  }
}

/**
 * `call` as a ServerInterceptor's result. grpc-js types that result as its
 * ServerInterceptingCall class, but chains and drives calls only through
 * ServerInterceptingCallInterface (the first interceptor is handed its base
 * call, which is no ServerInterceptingCall either).
 */
export const intercepted = (call: ServerInterceptingCallInterface): ServerInterceptingCall => call as ServerInterceptingCall;

import type { Options } from 'amqplib';

/** The content type of every event: the body is the protobuf encoding of the message named by `type`. */
export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

/** An event ready to go on the wire. */
export interface OutgoingEvent {
  /** UUID; becomes the AMQP message-id, which consumers deduplicate on. */
  readonly eventId: string;
  /** Fully qualified protobuf message name, e.g. acme.user.v1.UserDeleted; becomes the AMQP `type`. */
  readonly type: string;
  readonly routingKey: string;
  readonly payload: Uint8Array;
  /** When the event was recorded (AMQP timestamp, whole seconds). */
  readonly recordTime: Date;
  /** The trace it was recorded in, if any. */
  readonly traceparent?: string | null;
}

/** AMQP properties of a published event. Persistent: a durable queue keeps it across broker restarts. */
export function eventProperties(event: OutgoingEvent, appId: string): Options.Publish {
  return {
    contentType: PROTOBUF_CONTENT_TYPE,
    type: event.type,
    messageId: event.eventId,
    timestamp: Math.floor(event.recordTime.getTime() / 1000),
    appId,
    persistent: true,
    // The recording trace, for consumers; with tracing on, the publish span's own context replaces it (a child of it).
    ...(event.traceparent ? { headers: { traceparent: event.traceparent } } : {}),
  };
}

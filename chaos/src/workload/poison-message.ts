import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { EVENTS } from '@acme/contracts';
import { PROTOBUF_CONTENT_TYPE } from '@acme/messaging';
import type { PoisonRecord } from '../history/records';

/**
 * The body of the poisoned message: field 1, length-delimited, announcing 16
 * bytes that never come. It fails to decode as any message, so order-service's
 * consumer must move it to its dead-letter queue (kind `undecodable`) and go on.
 */
export const POISON_BODY = Uint8Array.of(0x0a, 0x10);

/**
 * Publishes one UserDeleted that does not decode straight to the broker (not
 * through the proxy the faults cut), on the events exchange the services use,
 * and resolves once the broker confirmed it. Every other property is a valid
 * event's, so only the body is wrong.
 */
export async function publishPoison(brokerUrl: string, exchange: string): Promise<PoisonRecord> {
  const contract = EVENTS.userDeleted;
  const messageId = randomUUID();
  const startMs = Date.now();
  const base = { messageId, type: contract.type, routingKey: contract.routingKey, startMs };
  let connection: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    connection = await connect(brokerUrl);
    const channel = await connection.createConfirmChannel();
    await new Promise<void>((resolve, reject) => {
      channel.publish(exchange, contract.routingKey, Buffer.from(POISON_BODY), { contentType: PROTOBUF_CONTENT_TYPE, type: contract.type, messageId, persistent: true, appId: 'chaos' }, (error) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
      );
    });
    return { ...base, endMs: Date.now() };
  } catch (error) {
    return { ...base, endMs: Date.now(), error: String(error) };
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

import { randomUUID } from 'node:crypto';
import { EVENTS, toTimestamp, userEventsV1 } from '@acme/contracts';
import { outboxEvent, type OutboxEvent } from '../../src';

/** A UserDeleted event as a service would write it to its outbox. */
export function userDeleted(userId: string = randomUUID()): OutboxEvent & { userId: string } {
  const message = userEventsV1.UserDeleted.create({ eventId: randomUUID(), userId, occurTime: toTimestamp(new Date()) });
  return { ...outboxEvent(EVENTS.userDeleted, message), userId };
}

export const USER_DELETED = EVENTS.userDeleted;

import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { EVENTS } from '@acme/contracts';
import { outboxEvent, type OutboxEvent } from '../../src';

/** A UserDeleted event as a service would write it to its outbox. */
export function userDeleted(userId: string = randomUUID()): OutboxEvent & { userId: string } {
  const message = EVENTS.userDeleted.create({ eventId: randomUUID(), userId, occurTime: timestampFromDate(new Date()) });
  return { ...outboxEvent(EVENTS.userDeleted, message), userId };
}

export const USER_DELETED = EVENTS.userDeleted;

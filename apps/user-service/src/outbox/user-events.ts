import { v7 as uuidv7 } from 'uuid';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { EVENTS } from '@acme/contracts';
import { outboxEvent, type OutboxEvent } from '@acme/messaging';

/** The acme.user.v1.UserDeleted outbox row for a deletion happening now. */
export function userDeletedEvent(userId: string, occurTime = new Date()): OutboxEvent {
  return outboxEvent(EVENTS.userDeleted, EVENTS.userDeleted.create({ eventId: uuidv7(), userId, occurTime: timestampFromDate(occurTime) }));
}

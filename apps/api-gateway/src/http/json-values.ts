import { fromTimestamp, type Timestamp } from '@acme/contracts';

/** google.protobuf.Timestamp -> RFC 3339 in UTC, millisecond precision (what the services store). */
export function rfc3339(timestamp: Timestamp | undefined): string {
  if (!timestamp) throw new Error('an upstream response lacks a timestamp the contract requires');
  return fromTimestamp(timestamp).toISOString();
}

/** page_size query text (already checked against PAGE_SIZE_PATTERN) -> the proto's int32, 0 when absent. */
export const pageSize = (text: string | undefined): number => (text === undefined ? 0 : Number(text));

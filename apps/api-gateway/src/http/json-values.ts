import type { Timestamp } from '@bufbuild/protobuf/wkt';

/**
 * google.protobuf.Timestamp -> RFC 3339 in UTC, millisecond precision (what the
 * services store). Sub-millisecond nanos are truncated, not rounded as
 * timestampDate() does, so a time is never shown later than it was.
 */
export function rfc3339(timestamp: Timestamp | undefined): string {
  if (!timestamp) throw new Error('an upstream response lacks a timestamp the contract requires');
  return new Date(Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1_000_000)).toISOString();
}

/** page_size query text (already checked against PAGE_SIZE_PATTERN) -> the proto's int32, 0 when absent. */
export const pageSize = (text: string | undefined): number => (text === undefined ? 0 : Number(text));

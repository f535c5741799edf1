import type { Timestamp } from './gen/google/protobuf/timestamp';

/** Converts a Date to google.protobuf.Timestamp (int64 seconds as a string). */
export function toTimestamp(date: Date): Timestamp {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** Converts google.protobuf.Timestamp back to a Date (millisecond precision). */
export function fromTimestamp(ts: Timestamp): Date {
  return new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1_000_000));
}

// The ranges of protobuf's 64-bit integer types (int64 arrives as bigint):
// for sums that must still fit, and for checking decimal text before it
// becomes one.
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;

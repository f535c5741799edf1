// The per-stream buffer limit is WATCH_MAX_PENDING_UPDATES (config.ts).

/** Changes read from order_changes per query (catch-up and the feed's reads page through in batches of this). */
export const CHANGE_READ_BATCH = 500;

/** How long changes are kept for resuming; an older resume token is answered OUT_OF_RANGE. */
export const CHANGE_RETENTION = '24 hours';

/** How often each replica prunes changes older than CHANGE_RETENTION. */
export const CHANGE_PRUNE_INTERVAL_MS = 10 * 60_000;

/** Wait before reconnecting the LISTEN connection after it was lost (a catch-up read follows the reconnect). */
export const LISTEN_RECONNECT_DELAY_MS = 1_000;

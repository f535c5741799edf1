/** What a watcher keeps of one update: the snapshot's end (its seq is where the watch starts) or a change. */
export type WatchUpdate =
  | { readonly kind: 'SNAPSHOT_END'; readonly seq: string }
  | { readonly kind: 'CREATED' | 'CANCELLED'; readonly seq: string; readonly orderId: string };

/** One connection of a watcher: its updates go to `onUpdate`; `ended` resolves with why it ended. */
export interface WatchConnection {
  readonly ended: Promise<string>;
  cancel(): void;
}

/**
 * Opens one connection for `userId`, resuming after `resumeToken` (empty:
 * from a snapshot); `turn` counts the watcher's connections, so that each
 * goes to the next replica or gateway in turn.
 */
export type OpenWatch = (userId: string, resumeToken: string, turn: number, onUpdate: (update: WatchUpdate) => void) => WatchConnection;

/** The update of an OrderUpdate's fields (as gRPC or the edge's JSON names its kind); undefined for a snapshot's orders. */
export function watchUpdate(kind: string, resumeToken: string, orderId: string | undefined): WatchUpdate | undefined {
  const name = kind.replace(/^KIND_/, '');
  if (name === 'SNAPSHOT_END') return { kind: name, seq: resumeToken };
  if ((name === 'CREATED' || name === 'CANCELLED') && orderId) return { kind: name, seq: resumeToken, orderId };
  return undefined;
}

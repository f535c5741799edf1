import { type OpenWatch, watchUpdate } from './watch-update';

/**
 * GET /users/{id}/orders:watch through the gateways, read as an EventSource
 * would (events split on blank lines, `data:` lines joined, comments
 * skipped), resuming with Last-Event-ID; each connection goes to the next
 * gateway in turn, so a watcher whose gateway went away resumes on the other.
 */
export function sseWatches(gateways: readonly string[], token: string): OpenWatch {
  return (userId, resumeToken, turn, onUpdate) => {
    const gateway = gateways[turn % gateways.length] as string;
    const abort = new AbortController();
    const ended = (async () => {
      const response = await fetch(`${gateway}/users/${userId}/orders:watch`, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(resumeToken ? { 'last-event-id': resumeToken } : {}) },
        signal: abort.signal,
      });
      if (response.status !== 200 || !response.body) return `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
      const decoder = new TextDecoder();
      let buffer = '';
      let failure: string | undefined;
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const field = (name: string) => lines.filter((l) => l.startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).replace(/^ /, ''));
          const data = field('data').join('\n');
          if (data === '') continue; // only comments (heartbeats)
          if (field('event')[0] === 'error') {
            failure = `event: error ${data.slice(0, 200)}`;
            continue;
          }
          const update = JSON.parse(data) as { kind?: string; resumeToken?: string; order?: { id?: string } };
          const parsed = watchUpdate(update.kind ?? '', update.resumeToken ?? field('id')[0] ?? '', update.order?.id);
          if (parsed) onUpdate(parsed);
        }
      }
      return failure ?? 'SSE stream ended';
    })().catch((error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}${error.cause ? ` (${String(error.cause)})` : ''}` : String(error)));
    return { ended, cancel: () => abort.abort() };
  };
}

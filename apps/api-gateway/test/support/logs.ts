import type { ServiceProcess } from '@acme/testing';

/**
 * Resolves with the first JSON log line of `service` that satisfies
 * `matches`, including lines already written. Log lines travel through a
 * pipe, so they may arrive after the HTTP answer: this waits on the pipe's
 * data events instead of sleeping.
 */
export function waitForLogLine(service: ServiceProcess, matches: (line: Record<string, unknown>) => boolean, timeoutMs = 5_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const find = () => jsonLines(service.logs).find(matches);
    const onOutput = () => {
      const line = find();
      if (line) finish(() => resolve(line));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`${service.name} logged no matching line within ${timeoutMs} ms:\n${service.logs.slice(-3000)}`))), timeoutMs);
    const stopWatching = service.onOutput(onOutput);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      stopWatching();
      settle();
    };
    onOutput();
  });
}

/** Every complete JSON line of a process's output. */
export function jsonLines(output: string): Record<string, unknown>[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

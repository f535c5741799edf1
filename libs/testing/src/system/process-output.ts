import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, watch } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Where a process's stdout and stderr go:
 * - 'capture': kept in memory, for tests that read, count and wait for lines;
 * - { file }: appended to a file by the OS (the bench: relaying megabytes of
 *   access log through its own process would spend the CPU it measures);
 * - 'console': printed line by line behind a coloured [name] (`npm start`);
 *   only the last lines are kept, for error messages.
 */
export type ProcessOutput = 'capture' | 'console' | { readonly file: string };

/** The output of one process as the process class sees it, whatever the destination. */
export interface OutputSink {
  /** stdio for spawn: [stdin, stdout, stderr]. */
  readonly stdio: ['ignore', 'pipe' | number, 'pipe' | number];
  attach(child: ChildProcess): void;
  /** What has been written so far (for 'console', the last lines). */
  text(): string;
  /** Calls `listener` whenever more was written; returns the way to stop. */
  onChange(listener: () => void): () => void;
  /** Where the whole output can be read, for error messages. */
  readonly where: string;
}

const COLORS = [36, 35, 33, 32, 34];
let nextColor = 0;
const CONSOLE_TAIL_LINES = 200;

export function outputSink(output: ProcessOutput, name: string): OutputSink {
  if (output === 'capture') return memorySink();
  if (output === 'console') return consoleSink(name);
  return fileSink(output.file);
}

function memorySink(): OutputSink {
  let text = '';
  const listeners = new Set<() => void>();
  return {
    stdio: ['ignore', 'pipe', 'pipe'],
    attach(child) {
      for (const stream of [child.stdout, child.stderr]) {
        stream?.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          for (const listener of listeners) listener();
        });
      }
    },
    text: () => text,
    onChange: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    where: 'its output',
  };
}

function consoleSink(name: string): OutputSink {
  const prefix = process.stdout.isTTY ? `\x1b[${COLORS[nextColor++ % COLORS.length]}m[${name}]\x1b[0m` : `[${name}]`;
  const tail: string[] = [];
  const listeners = new Set<() => void>();
  return {
    stdio: ['ignore', 'pipe', 'pipe'],
    attach(child) {
      for (const stream of [child.stdout, child.stderr]) {
        if (!stream) continue;
        createInterface({ input: stream }).on('line', (line) => {
          process.stdout.write(`${prefix} ${line}\n`);
          if (tail.push(line) > CONSOLE_TAIL_LINES) tail.shift();
          for (const listener of listeners) listener();
        });
      }
    },
    text: () => tail.map((line) => `${line}\n`).join(''),
    onChange: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    where: 'the console above',
  };
}

function fileSink(path: string): OutputSink {
  const fd = openSync(path, 'a');
  return {
    stdio: ['ignore', fd, fd],
    // The child has its own copy of the descriptor once spawned.
    attach: () => closeSync(fd),
    text: () => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    },
    // Follows the file's growth with inotify, only while someone waits.
    onChange(listener) {
      const watcher = watch(path);
      watcher.on('change', listener);
      watcher.on('error', () => undefined);
      return () => watcher.close();
    },
    where: path,
  };
}

import { join } from 'node:path';
import { freePort } from '@acme/testing';
import { BenchProcess } from './bench-process';
import type { BenchDatabases } from './databases';
import { type ProcessKey, serviceSpecs, type ServiceSpec, START_ORDER } from './services';

export interface RunningSystem {
  readonly processes: Record<ProcessKey, BenchProcess>;
  readonly ports: Record<ProcessKey, number>;
  readonly specs: Record<ProcessKey, ServiceSpec>;
  stop(): Promise<void>;
}

/** Starts every server on free loopback ports, upstreams first; stops those already started if one fails. */
export async function startSystem(
  databases: BenchDatabases,
  options: { logDir: string; profileDir?: string },
  log: (line: string) => void,
): Promise<RunningSystem> {
  const keys = START_ORDER.flat();
  const ports = Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await freePort()] as const))) as Record<ProcessKey, number>;
  const specs = serviceSpecs(databases, () => ports);
  const processes: Partial<Record<ProcessKey, BenchProcess>> = {};
  const stop = async () => {
    // Callers before upstreams, so nothing fails for want of an upstream while stopping.
    for (const group of [...START_ORDER].reverse()) {
      await Promise.all(group.map((key) => processes[key]?.stop()));
    }
  };
  try {
    for (const group of START_ORDER) {
      await Promise.all(
        group.map(async (key) => {
          const spec = specs[key];
          const { process, readyAfterMs } = await BenchProcess.start(
            {
              name: key,
              script: spec.script,
              env: spec.env(ports[key]),
              logFile: join(options.logDir, `${key}.log`),
              nodeArgs: options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, key)}`] : undefined,
            },
            spec.readiness(ports[key]),
          );
          processes[key] = process;
          log(`${key} ready on 127.0.0.1:${ports[key]} after ${Math.round(readyAfterMs)} ms (pid ${process.pid})`);
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { processes: processes as Record<ProcessKey, BenchProcess>, ports, specs, stop };
}

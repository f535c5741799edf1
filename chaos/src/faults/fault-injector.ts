import { setTimeout as delay } from 'node:timers/promises';
import { grpcServing } from '@acme/testing';
import type { FaultRecord } from '../history/records';
import { type PlannedFault, SAME_TARGET_GAP_MS, targetKey } from '../plan/fault-schedule';
import { type ChaosSystem, HEALTH_SERVICE } from '../system/chaos-system';

/** Restarting a replica is tried this often before the fault is recorded as failed. */
const RESTART_ATTEMPTS = 3;
/** A replica let go on (SIGCONT) answers its health check within this, or the fault is recorded as failed. */
const RESUME_TIMEOUT_MS = 10_000;

/** Applies one fault; resolves with the means to undo it. */
async function inject(chaos: ChaosSystem, fault: PlannedFault, replaced: Set<string>): Promise<() => Promise<void>> {
  const { system } = chaos;
  const target = fault.target;
  switch (target.kind) {
    case 'replica': {
      const victim = system.process(target.app, target.replica);
      if (fault.kind === 'sigstop') {
        // Frozen, not gone: its connections stay open, its calls and unacknowledged messages wait for it.
        victim.child.kill('SIGSTOP');
        return async () => {
          victim.child.kill('SIGCONT');
          await grpcServing(system.address(target.app, target.replica), HEALTH_SERVICE[target.app], RESUME_TIMEOUT_MS);
        };
      }
      replaced.add(victim.name);
      // SIGKILL: no drain, connections reset mid-call. SIGTERM: the graceful path (drain, finish in-flight calls, exit 0).
      const code = await victim.stop(fault.kind === 'sigkill' ? 'SIGKILL' : 'SIGTERM');
      const graceful = fault.kind === 'sigterm' && code !== 0 ? `${victim.name} exited with ${code ?? victim.child.signalCode} after SIGTERM, not 0` : undefined;
      return async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            await system.restart(target.app, target.replica);
            break;
          } catch (error) {
            if (attempt >= RESTART_ATTEMPTS) throw error;
          }
        }
        // Restarted either way; a shutdown that was not clean is still a failure.
        if (graceful) throw new Error(graceful);
      };
    }
    case 'database': {
      const proxy = system.databaseProxy(target.app);
      await proxy.cut();
      return () => proxy.restore();
    }
    case 'user-service path': {
      for (const relay of chaos.userRelays) relay.delayMs = fault.latencyMs ?? 0;
      return async () => {
        for (const relay of chaos.userRelays) relay.delayMs = 0;
      };
    }
    case 'broker': {
      const proxy = system.brokerProxy;
      await proxy.cut();
      return () => proxy.restore();
    }
  }
}

/**
 * Runs the schedule against the system, each fault at its planned time from
 * `originMs` (wall clock), and records what really happened. Faults of one
 * target run one after the other: the next starts only once the previous one
 * is undone (a replica restarted under load can take longer than planned),
 * and SAME_TARGET_GAP_MS after that; one that could then not end by
 * `untilMs` (the settle phase) is skipped. Resolves when every fault has been
 * undone, with the processes that were replaced and the faults skipped.
 */
export async function runFaults(
  chaos: ChaosSystem,
  schedule: readonly PlannedFault[],
  originMs: number,
  untilMs: number,
  record: (fault: FaultRecord) => void,
): Promise<{ replaced: ReadonlySet<string>; skipped: readonly PlannedFault[] }> {
  const replaced = new Set<string>();
  const skipped: PlannedFault[] = [];
  const waitUntil = async (atMs: number) => {
    const wait = atMs - Date.now();
    if (wait > 0) await delay(wait);
  };
  const run = async (fault: PlannedFault, previousUndoneMs: number) => {
    await waitUntil(Math.max(originMs + fault.startMs, previousUndoneMs + SAME_TARGET_GAP_MS));
    const startMs = Date.now();
    const endAtMs = startMs + (fault.endMs - fault.startMs);
    if (endAtMs > originMs + untilMs) {
      skipped.push(fault);
      return previousUndoneMs;
    }
    const base = { id: fault.id, kind: fault.kind, target: fault.target, ...(fault.latencyMs === undefined ? {} : { latencyMs: fault.latencyMs }), startMs };
    let undo: () => Promise<void>;
    try {
      undo = await inject(chaos, fault, replaced);
    } catch (error) {
      record({ ...base, endMs: Date.now(), error: `injecting: ${String(error)}` });
      return Date.now();
    }
    await waitUntil(endAtMs);
    try {
      await undo();
      record({ ...base, endMs: Date.now() });
    } catch (error) {
      record({ ...base, endMs: Date.now(), error: `undoing: ${String(error)}` });
    }
    return Date.now();
  };
  const byTarget = new Map<string, Promise<number>>();
  for (const fault of schedule) {
    const key = targetKey(fault.target);
    byTarget.set(key, (byTarget.get(key) ?? Promise.resolve(0)).then((undoneMs) => run(fault, undoneMs)));
  }
  await Promise.all(byTarget.values());
  return { replaced, skipped };
}

import { setTimeout as delay } from 'node:timers/promises';
import type { FaultRecord } from '../history/records';
import type { PlannedFault } from '../plan/fault-schedule';
import type { ChaosSystem } from '../system/chaos-system';

/** Restarting a replica is tried this often before the fault is recorded as failed. */
const RESTART_ATTEMPTS = 3;

/** Applies one fault; resolves with the means to undo it. */
async function inject(chaos: ChaosSystem, fault: PlannedFault, replaced: Set<string>): Promise<() => Promise<void>> {
  const { system } = chaos;
  const target = fault.target;
  switch (target.kind) {
    case 'replica': {
      const victim = system.process(target.app, target.replica);
      replaced.add(victim.name);
      // SIGKILL: no drain, connections reset mid-call. SIGTERM: the graceful path (drain, finish in-flight calls, exit 0).
      if (fault.kind === 'sigkill') victim.child.kill('SIGKILL');
      else victim.child.kill('SIGTERM');
      await victim.exited;
      return async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            await system.restart(target.app, target.replica);
            return;
          } catch (error) {
            if (attempt >= RESTART_ATTEMPTS) throw error;
          }
        }
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
 * `originMs` (wall clock), and records what really happened. Resolves when
 * every fault has been undone.
 */
export async function runFaults(
  chaos: ChaosSystem,
  schedule: readonly PlannedFault[],
  originMs: number,
  record: (fault: FaultRecord) => void,
): Promise<{ replaced: ReadonlySet<string> }> {
  const replaced = new Set<string>();
  const waitUntil = async (offsetMs: number) => {
    const wait = originMs + offsetMs - Date.now();
    if (wait > 0) await delay(wait);
  };
  await Promise.all(
    schedule.map(async (fault) => {
      await waitUntil(fault.startMs);
      const startMs = Date.now();
      const base = { id: fault.id, kind: fault.kind, target: fault.target, ...(fault.latencyMs === undefined ? {} : { latencyMs: fault.latencyMs }), startMs };
      let undo: () => Promise<void>;
      try {
        undo = await inject(chaos, fault, replaced);
      } catch (error) {
        record({ ...base, endMs: Date.now(), error: `injecting: ${String(error)}` });
        return;
      }
      await waitUntil(fault.endMs);
      try {
        await undo();
        record({ ...base, endMs: Date.now() });
      } catch (error) {
        record({ ...base, endMs: Date.now(), error: `undoing: ${String(error)}` });
      }
    }),
  );
  return { replaced };
}

import { execFile } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { grpcServing } from '@acme/testing';
import type { FaultRecord } from '../history/records';
import { exclusionKey, type PlannedFault, SAME_TARGET_GAP_MS } from '../plan/fault-schedule';
import { type ChaosSystem, GATEWAY, HEALTH_SERVICE } from '../system/chaos-system';

/** Restarting a replica is tried this often before the fault is recorded as failed. */
const RESTART_ATTEMPTS = 3;
/** A replica let go on (SIGCONT) answers its health check within this, or the fault is recorded as failed. */
const RESUME_TIMEOUT_MS = 10_000;

/**
 * The broker itself closes every connection of the run's vhost (AMQP
 * connection.close, CONNECTION_FORCED: the channels, their consumers and
 * unconfirmed publishes go with them), as it does when it shuts down; no
 * other vhost of the machine's RabbitMQ is touched.
 */
async function closeVhostConnections(vhost: string): Promise<void> {
  await promisify(execFile)(process.env['RABBITMQCTL'] ?? 'rabbitmqctl', ['-q', 'close_all_connections', '--vhost', vhost, 'chaos soak: broker restart'], { timeout: 60_000 });
}

/** Starts a stopped process again, a few times before giving up (a port still held, a start under load). */
async function restartWithRetries(restart: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await restart();
      return;
    } catch (error) {
      if (attempt >= RESTART_ATTEMPTS) throw error;
    }
  }
}

/** Applies one fault; resolves with the means to undo it. */
async function inject(chaos: ChaosSystem, fault: PlannedFault): Promise<() => Promise<void>> {
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
      // SIGKILL: no drain, connections reset mid-call. SIGTERM: the graceful path (drain, finish in-flight calls, exit 0).
      const code = await victim.stop(fault.kind === 'sigkill' ? 'SIGKILL' : 'SIGTERM');
      const graceful = fault.kind === 'sigterm' && code !== 0 ? `${victim.name} exited with ${code ?? victim.child.signalCode} after SIGTERM, not 0` : undefined;
      return async () => {
        await restartWithRetries(() => system.restart(target.app, target.replica));
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
      // A restart: the broker closes the connections itself, then is away (refusing, and resetting whatever reconnected
      // while the close ran) until the fault ends. A cut only resets them.
      if (fault.kind === 'broker-restart') await closeVhostConnections(chaos.vhost.name);
      await proxy.cut();
      return () => proxy.restore();
    }
    case 'gateway': {
      const victim = system.process(GATEWAY, target.gateway);
      const signal = fault.signal ?? 'SIGKILL';
      const code = await victim.stop(signal);
      const graceful = signal === 'SIGTERM' && code !== 0 ? `${victim.name} exited with ${code ?? victim.child.signalCode} after SIGTERM, not 0` : undefined;
      return async () => {
        await restartWithRetries(() => system.restart(GATEWAY, target.gateway));
        if (graceful) throw new Error(graceful);
      };
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
 * undone, with the faults skipped.
 */
export async function runFaults(
  chaos: ChaosSystem,
  schedule: readonly PlannedFault[],
  originMs: number,
  untilMs: number,
  record: (fault: FaultRecord) => void,
): Promise<{ skipped: readonly PlannedFault[] }> {
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
    const base = {
      id: fault.id,
      kind: fault.kind,
      target: fault.target,
      ...(fault.latencyMs === undefined ? {} : { latencyMs: fault.latencyMs }),
      ...(fault.signal === undefined ? {} : { signal: fault.signal }),
      startMs,
    };
    let undo: () => Promise<void>;
    try {
      undo = await inject(chaos, fault);
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
    const key = exclusionKey(fault.target);
    byTarget.set(key, (byTarget.get(key) ?? Promise.resolve(0)).then((undoneMs) => run(fault, undoneMs)));
  }
  await Promise.all(byTarget.values());
  return { skipped };
}

import type { Client } from 'pg';
import { processCpuMicros } from '@acme/testing';

/**
 * CPU used so far by each Postgres backend connected to these databases
 * (the services' pools), by pid. Backends are separate processes on this
 * machine, so their /proc figures are readable as root or as the postgres user.
 */
export async function databaseBackendCpu(admin: Client, databases: readonly string[]): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = ANY($1) AND backend_type = 'client backend'`,
    [databases],
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      cpu.set(pid, processCpuMicros(pid));
    } catch {
      // ended between the query and the read
    }
  }
  return cpu;
}

/** CPU the backends used between two snapshots; backends that appeared in between count from zero. */
export function backendCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

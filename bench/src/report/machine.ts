import { cpus, release, totalmem } from 'node:os';
import type { Client } from 'pg';
import { loadAverage1 } from '@acme/testing';

export interface MachineFacts {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly kernel: string;
  readonly node: string;
  readonly postgres: string;
  readonly loadAverageAtStart: number;
}

export async function machineFacts(admin: Client): Promise<MachineFacts> {
  const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    postgres: rows[0]?.server_version ?? 'unknown',
    loadAverageAtStart: loadAverage1(),
  };
}

export const describeMachine = (m: MachineFacts): string =>
  `${m.cores} cores (${m.cpu}), ${m.memoryGb} GB RAM, Linux ${m.kernel}, Node ${m.node}, PostgreSQL ${m.postgres}`;

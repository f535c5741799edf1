import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from 'pg';
import { processCpuMicros } from '@acme/testing';
import { createUserTemplate, COUNTER_WIDTH, GRPC_CALLS } from '../load/grpc-messages';
import { runNodeHttp2 } from '../load/node-http2';
import { runGenerator } from '../load/run-generator';
import { backendCpuDelta, databaseBackendCpu } from '../measure/database-cpu';
import type { ImportComparison, UserWriteRun } from '../model';
import type { StreamingPlan } from '../scenarios';
import type { StreamingStack } from '../system/streaming-stack';
import type { ImportWorkerConfig, ImportWorkerResult } from './import-worker';

const RESULT = /^BENCH_IMPORT (.*)$/m;

/** What one way of writing users did, before it is turned into rows/s. */
interface Written {
  readonly answeredOk: number;
  readonly errors: number;
  readonly errorSample?: string;
  readonly elapsedMs: number;
  /** The generator's CPU, and the time it was taken over. */
  readonly generatorCpuUs: number;
  readonly generatorWallMs: number;
}

/**
 * The same number of new, distinct users written into user-service twice:
 * by unary CreateUser calls at c=16 (grpc-load-worker, closed loop) and by
 * one ImportUsers stream (import-worker). Each run starts on an emptied
 * users table (TRUNCATE: new, empty table and index files, as in a fresh
 * database) and is checked by counting the rows. Both paths write a few
 * thousand users first, then the table is emptied, so neither is measured
 * with cold code.
 */
export async function measureImportVsCreate(stack: StreamingStack, plan: StreamingPlan, admin: Client, workDir: string, log: (line: string) => void): Promise<ImportComparison> {
  let run = 0;
  const emptyTable = () => stack.users.query('TRUNCATE users');
  const createUsers = async (count: number): Promise<Written> => {
    const { template, counterOffset } = createUserTemplate(`bench-cu-${Date.now().toString(36)}-${++run}`);
    const outcome = await runNodeHttp2({
      origin: stack.userOrigin,
      path: GRPC_CALLS.createUser.path,
      templates: [template],
      counterOffset,
      counterWidth: COUNTER_WIDTH,
      concurrency: plan.createUserConcurrency,
      durationS: 600,
      requests: count,
      configFile: join(workDir, 'create-users.json'),
    });
    return { answeredOk: outcome.requests, errors: outcome.errors, errorSample: outcome.errorSample, elapsedMs: outcome.durationS * 1000, generatorCpuUs: outcome.generatorCpuUs, generatorWallMs: outcome.generatorWallMs };
  };
  const importUsers = async (count: number): Promise<Written> => {
    const config: ImportWorkerConfig = { origin: stack.userOrigin, count, emailPrefix: `bench-iu-${Date.now().toString(36)}-${++run}`, timeout: '600S' };
    const configFile = join(workDir, 'import-users.json');
    await writeFile(configFile, JSON.stringify(config));
    try {
      const exit = await runGenerator(process.execPath, [require.resolve('./import-worker'), configFile]);
      const match = RESULT.exec(exit.stdout);
      if (!match) throw new Error(`the import worker printed no result:\n${exit.stdout}\n${exit.stderr}`);
      const result = JSON.parse(match[1] as string) as ImportWorkerResult;
      const refused = result.grpcStatus !== '0';
      return {
        answeredOk: result.created,
        errors: result.failed + result.unchanged + (refused ? 1 : 0),
        errorSample: refused ? `grpc-status ${result.grpcStatus} ${result.grpcMessage}` : result.failureSample,
        elapsedMs: result.elapsedMs,
        generatorCpuUs: result.cpuUs,
        generatorWallMs: result.elapsedMs,
      };
    } finally {
      await rm(configFile, { force: true });
    }
  };
  const measured = async (label: string, concurrency: number, write: (count: number) => Promise<Written>): Promise<UserWriteRun> => {
    await emptyTable();
    const serverBefore = processCpuMicros(stack.userService.pid);
    const dbBefore = await databaseBackendCpu(admin, [stack.users.name]);
    const written = await write(plan.importUsers);
    const dbAfter = await databaseBackendCpu(admin, [stack.users.name]);
    const serverCpu = processCpuMicros(stack.userService.pid) - serverBefore;
    const [row] = await stack.users.query<{ n: string }>('SELECT count(*) AS n FROM users');
    const rowsWritten = Number(row?.n);
    const result: UserWriteRun = {
      label,
      concurrency,
      users: plan.importUsers,
      rowsWritten,
      errors: written.errors,
      ...(written.errorSample ? { errorSample: written.errorSample } : {}),
      elapsedS: written.elapsedMs / 1000,
      rowsPerS: rowsWritten / (written.elapsedMs / 1000),
      serverCpuUsPerRow: serverCpu / rowsWritten,
      dbCpuUsPerRow: dbAfter.size > 0 ? backendCpuDelta(dbBefore, dbAfter) / rowsWritten : null,
      generatorCorePercent: (written.generatorCpuUs / (written.generatorWallMs * 1000)) * 100,
    };
    log(
      `${label}: ${rowsWritten} of ${plan.importUsers} users in ${result.elapsedS.toFixed(1)} s, ${Math.round(result.rowsPerS)} rows/s, ` +
        `${Math.round(result.serverCpuUsPerRow)} µs user-service CPU/row${written.errors > 0 ? `, ${written.errors} ERRORS (${written.errorSample})` : ''}`,
    );
    return result;
  };

  log(`imports: warming both paths up with ${plan.warmupUsers} users each`);
  await createUsers(plan.warmupUsers);
  await importUsers(plan.warmupUsers);
  const createUser = await measured(`CreateUser, unary, c=${plan.createUserConcurrency}`, plan.createUserConcurrency, createUsers);
  const imported = await measured('ImportUsers, one stream', 1, importUsers);
  await emptyTable();
  return { createUser, importUsers: imported, ratio: imported.rowsPerS / createUser.rowsPerS };
}

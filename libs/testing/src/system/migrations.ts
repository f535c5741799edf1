import { appScript, registeredApp } from './app-registry';
import type { ProcessOutput } from './process-output';
import { PATH_ONLY, type ProcessEnv, ServiceProcess } from './service-process';

/** Applies an app's migrations (its manifest's migrations target) to the database at `url`. */
export async function migrateDatabase(app: string, url: string, env: ProcessEnv = PATH_ONLY, output: ProcessOutput = 'capture'): Promise<void> {
  const database = registeredApp(app).launch.database;
  if (!database?.migrations) return;
  await ServiceProcess.run(`${app} migrations`, appScript(app, database.migrations), { ...env, [database.urlVar]: url }, output);
}

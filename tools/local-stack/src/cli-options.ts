import { parseArgs } from 'node:util';
import { ConfigError } from '@acme/config';

export interface LocalStackOptions {
  /** Replicas per app, for those asked for more than one. */
  readonly replicas: Readonly<Record<string, number>>;
  /** `npm run dev`: rebuild and restart what a change affects. */
  readonly watch: boolean;
}

interface AppInfo {
  readonly name: string;
  readonly protocol: 'grpc' | 'http';
}

/**
 * Reads `npm start -- --replicas user-service=2[,order-service=3]` (the flag
 * may repeat) and LOCAL_STACK_REPLICAS (same syntax; the flag wins per app).
 * Only gRPC apps take replicas: their callers balance over them (round_robin);
 * nothing here would balance HTTP.
 */
export function parseLocalStackOptions(args: readonly string[], env: NodeJS.ProcessEnv, apps: readonly AppInfo[]): LocalStackOptions {
  const { values } = parseOrExplain(args);
  const specs = [env['LOCAL_STACK_REPLICAS'] ?? '', ...(values.replicas ?? [])].flatMap((spec) => spec.split(',')).filter((s) => s.trim() !== '');
  const replicas: Record<string, number> = {};
  for (const spec of specs) {
    const match = /^\s*([a-z0-9-]+)=(\d+)\s*$/.exec(spec);
    if (!match) throw new ConfigError([`--replicas/LOCAL_STACK_REPLICAS: "${spec}" is not <app>=<count>, e.g. user-service=2`]);
    const [, name = '', count = ''] = match;
    const app = apps.find((a) => a.name === name);
    if (!app) throw new ConfigError([`--replicas: no app named ${name} (apps: ${apps.map((a) => a.name).join(', ')})`]);
    if (app.protocol !== 'grpc') throw new ConfigError([`--replicas: ${name} serves ${app.protocol}; only gRPC apps take replicas (their callers balance over them)`]);
    if (Number(count) < 1) throw new ConfigError([`--replicas: ${name}=${count}: at least 1`]);
    replicas[name] = Number(count);
  }
  return { replicas: Object.fromEntries(Object.entries(replicas).filter(([, count]) => count > 1)), watch: values.watch ?? false };
}

function parseOrExplain(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: { replicas: { type: 'string', multiple: true }, watch: { type: 'boolean', default: false } },
      strict: true,
    });
  } catch (error) {
    throw new ConfigError([`${error instanceof Error ? error.message : String(error)} (npm start -- --replicas <app>=<count>; npm run dev)`]);
  }
}

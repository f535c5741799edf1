import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

// Checks of docker-compose.yml: the current compose-spec JSON schema, the
// file as Debian's docker-compose 1.29 reads it, and the rules of this
// repository (health, start order, published ports, one database each).

export type ComposeFile = {
  services: Record<string, ComposeService>;
  networks?: Record<string, { internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
};

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | null>;
  ports?: (string | { host_ip?: string; published?: string | number; target?: number })[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  restart?: string;
  networks?: string[] | Record<string, unknown>;
  volumes?: (string | { source?: string; target?: string })[];
  read_only?: boolean;
  cap_drop?: string[];
  privileged?: boolean;
  [key: string]: unknown;
}

/** YAML with merge keys (`<<: *anchor`) resolved, as Compose reads it. */
export const parseCompose = (text: string): ComposeFile => parse(text, { merge: true }) as ComposeFile;

const load = createRequire(__filename);

/**
 * The compose-spec schema. No package publishes compose-spec's own schema
 * file; dclint (a Compose linter) ships a current copy of it.
 */
function composeSpecSchema(): object {
  const file = join(dirname(load.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as { $schema?: string };
  // It names draft-07 by its https address; Ajv knows draft-07 by the canonical http one.
  if (schema.$schema?.includes('draft-07')) schema.$schema = 'http://json-schema.org/draft-07/schema#';
  return schema;
}

let validator: ReturnType<Ajv['compile']> | undefined;

export function composeSchemaErrors(compose: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(composeSpecSchema());
  }
  if (validator(compose)) return [];
  return (validator.errors ?? []).map(formatError);
}

function formatError(e: ErrorObject): string {
  const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
  return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
}

/**
 * `docker-compose -f <file> config -q`: the file as the 1.29 implementation
 * parses and interpolates it. Throws when the binary is missing.
 */
export function dockerComposeConfig(file: string): { ok: boolean; output: string } {
  const binary = process.env['DOCKER_COMPOSE'] ?? 'docker-compose';
  try {
    execFileSync(binary, ['-f', file, 'config', '-q'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, COMPOSE_PROJECT_NAME: 'acme-config-check' } });
    return { ok: true, output: '' };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    if (e.code === 'ENOENT') {
      throw new Error(`${binary} not found: install it (apt-get install docker-compose) or point DOCKER_COMPOSE at a docker-compose binary`);
    }
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Host ports that the machines' own services hold; never published by the stack. */
export const RESERVED_HOST_PORTS = [5432, 5672, 6379, 4222, 3306, 1883];

/** ${VAR:-default} / ${VAR-default} / ${VAR} with defaults only, so the check does not depend on the caller's environment. */
const withDefaults = (s: string): string => s.replace(/\$\{\w+(?::?-([^}]*))?\}/g, (_, d: string | undefined) => d ?? '');

const isOneShot = (s: ComposeService): boolean => s.restart === 'no';

function dependsOn(s: ComposeService): Record<string, { condition?: string }> {
  if (!s.depends_on) return {};
  if (Array.isArray(s.depends_on)) return Object.fromEntries(s.depends_on.map((n) => [n, {}]));
  return s.depends_on;
}

const networksOf = (s: ComposeService): string[] =>
  !s.networks ? ['default'] : Array.isArray(s.networks) ? s.networks : Object.keys(s.networks);

export function composePolicy(compose: ComposeFile): string[] {
  const problems: string[] = [];
  for (const key of ['name', 'version']) {
    if (key in compose) problems.push(`top-level "${key}": docker-compose 1.29 rejects "name", Compose v2 warns about "version"`);
  }
  const services = compose.services ?? {};
  for (const [name, s] of Object.entries(services)) {
    const at = `service ${name}`;
    if (s.privileged) problems.push(`${at}: privileged`);
    if (s.image?.endsWith(':latest') || (s.image && !s.build && !/:[^/]+$/.test(withDefaults(s.image)))) {
      problems.push(`${at}: image "${s.image}" has no pinned tag`);
    }
    if (s.build && !s.image) problems.push(`${at}: builds without naming its image, so its migration step cannot share it`);

    // Health: long-running containers report it, gRPC services through grpc.health.v1.
    if (isOneShot(s)) {
      const gated = Object.values(services).some((other) => dependsOn(other)[name]?.condition === 'service_completed_successfully');
      if (!gated) problems.push(`${at}: one-shot, but no service waits for it with condition service_completed_successfully`);
    } else {
      const test = s.healthcheck?.test;
      if (!test || s.healthcheck?.disable) problems.push(`${at}: no healthcheck`);
      const grpcPort = s.environment?.['GRPC_PORT'];
      if (grpcPort !== undefined && !(Array.isArray(test) && test.some((t) => t.includes('grpc-health-probe')))) {
        problems.push(`${at}: a gRPC service must be checked through grpc.health.v1 (grpc-health-probe), not a port`);
      }
      if (s.build && (s.read_only !== true || !(s.cap_drop ?? []).includes('ALL'))) {
        problems.push(`${at}: app containers run with read_only: true and cap_drop: [ALL]`);
      }
    }
    for (const [dependency, { condition }] of Object.entries(dependsOn(s))) {
      const target = services[dependency];
      if (!target) problems.push(`${at}: depends on unknown service ${dependency}`);
      else {
        const expected = isOneShot(target) ? 'service_completed_successfully' : 'service_healthy';
        if (condition !== expected) problems.push(`${at}: depends on ${dependency} with condition ${condition ?? '(none)'}, expected ${expected}`);
      }
    }

    // Published ports: loopback only, never a port the machine's own services hold.
    for (const port of s.ports ?? []) {
      const spec = typeof port === 'string' ? withDefaults(port) : port;
      const [ip, published] =
        typeof spec === 'string' ? [spec.split(':').length === 3 ? spec.split(':')[0] : undefined, spec.split(':').at(-2)] : [spec.host_ip, String(spec.published ?? '')];
      if (ip !== '127.0.0.1') problems.push(`${at}: publishes ${JSON.stringify(port)} beyond 127.0.0.1`);
      if (RESERVED_HOST_PORTS.includes(Number(published))) problems.push(`${at}: publishes host port ${published}, which the machine's own services hold`);
    }
  }
  problems.push(...databasePolicy(compose));
  return problems;
}

/** Each service has its own Postgres container with a named volume, on a network only it (and its migration) joins. */
function databasePolicy(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};
  const dbHosts = new Map<string, string>();
  for (const [name, s] of Object.entries(services)) {
    const url = s.environment?.['DATABASE_URL'];
    if (typeof url !== 'string' || isOneShot(s)) continue;
    const host = /@([^:/]+)/.exec(withDefaults(url))?.[1];
    const db = host ? services[host] : undefined;
    if (!host || !db) {
      problems.push(`service ${name}: DATABASE_URL host ${host ?? '?'} is not a service of this file`);
      continue;
    }
    const owner = dbHosts.get(host);
    if (owner) problems.push(`services ${owner} and ${name} share the database ${host}`);
    dbHosts.set(host, name);
    const volume = (db.volumes ?? [])
      .map((v) => (typeof v === 'string' ? v.split(':') : [v.source ?? '', v.target ?? '']))
      .find(([, target]) => target === '/var/lib/postgresql/data');
    if (!volume?.[0] || !(volume[0] in (compose.volumes ?? {}))) problems.push(`service ${host}: no named volume at /var/lib/postgresql/data`);
    for (const network of networksOf(db)) {
      const members = Object.entries(services).filter(([, other]) => networksOf(other).includes(network));
      for (const [other, o] of members) {
        const ownMigration = isOneShot(o) && Object.keys(dependsOn(o)).includes(host);
        if (other !== host && other !== name && !ownMigration) problems.push(`service ${other} can reach ${host} (network ${network}), which belongs to ${name}`);
      }
      if (compose.networks?.[network]?.internal !== true) problems.push(`network ${network} of ${host} is not internal`);
    }
  }
  return problems;
}

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { repoPath } from './repo';
import { budgetProblem, shutdownBudget } from './shutdown-budget';

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
  hostname?: string;
  stop_grace_period?: string;
  labels?: Record<string, string | number | null> | string[];
  [key: string]: unknown;
}

/**
 * A development stand-in: a container in the place of something a real
 * deployment gets elsewhere (the label's value says what: cert-manager, the
 * OIDC issuer). It is not part of the system the checks hold to the
 * deployment's rules of observation, and has a Kubernetes counterpart only
 * where the dev overlay runs one.
 */
export const STAND_IN_LABEL = 'com.acme.development-stand-in';

/** What the service stands in for (its STAND_IN_LABEL), or undefined when it is part of the system. */
export function standsInFor(s: ComposeService): string | undefined {
  const labels = Array.isArray(s.labels)
    ? Object.fromEntries(s.labels.map((l) => [l.split('=')[0], l.split('=').slice(1).join('=')]))
    : (s.labels ?? {});
  const value = labels[STAND_IN_LABEL];
  return value === undefined || value === null ? undefined : String(value);
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
 * `docker-compose -f <file> [--profile P] config -q`: the file as the 1.29
 * implementation parses and interpolates it. Throws when the binary is missing.
 */
export function dockerComposeConfig(file: string, options: { profiles?: string[]; env?: Record<string, string> } = {}): { ok: boolean; output: string } {
  const binary = process.env['DOCKER_COMPOSE'] ?? 'docker-compose';
  const profiles = (options.profiles ?? []).flatMap((p) => ['--profile', p]);
  try {
    execFileSync(binary, ['-f', file, ...profiles, 'config', '-q'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env, COMPOSE_PROJECT_NAME: 'acme-config-check' },
    });
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

/** A compose string with ${VAR:-default} / ${VAR-default} / ${VAR} resolved from `env`, else the default. */
export function interpolate(text: string, env: Record<string, string> = {}): string {
  return text.replace(/\$\{(\w+)(?:(:?-)([^}]*))?\}/g, (_, name: string, op: string | undefined, fallback: string | undefined) => {
    const value = env[name];
    if (op === ':-') return value ? value : (fallback ?? '');
    return value ?? fallback ?? '';
  });
}

/** With defaults only, so the check does not depend on the caller's environment. */
const withDefaults = (s: string): string => interpolate(s);

const isOneShot = (s: ComposeService): boolean => s.restart === 'no';

function dependsOn(s: ComposeService): Record<string, { condition?: string }> {
  if (!s.depends_on) return {};
  if (Array.isArray(s.depends_on)) return Object.fromEntries(s.depends_on.map((n) => [n, {}]));
  return s.depends_on;
}

export const networksOf = (s: ComposeService): string[] =>
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

    // Bind mounts from the repository: the file must be there, or Docker creates an empty directory in its place.
    for (const volume of s.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
      if (source && /^\.{1,2}\//.test(source) && !existsSync(repoPath(source))) problems.push(`${at}: mounts ${source}, which does not exist`);
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
  problems.push(...messagingPolicy(compose));
  return problems;
}

const isBroker = (s: ComposeService | undefined): boolean => /^rabbitmq:/.test(s?.image ?? '');

/** "1m30s" -> 90000; compose's default (10 s) when unset. */
function durationMs(value: string | undefined): number {
  if (value === undefined) return 10_000;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)];
  if (parts.map((p) => p[0]).join('') !== value) throw new Error(`"${value}" is not a duration`);
  return parts.reduce((sum, [, n = '0', unit = '']) => sum + Number(n) * (units[unit] ?? 0), 0);
}

/**
 * The broker: one rabbitmq service with a fixed hostname (its node name, under
 * which it keeps its data) and a named volume, no published port, on internal
 * networks joined only by the services that publish or consume events. Each of
 * those reaches it by its AMQP_URL host, waits for it, and may take the time
 * its shutdown needs with a broker (stop_grace_period).
 */
function messagingPolicy(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};
  const brokers = Object.entries(services).filter(([, s]) => isBroker(s));
  const clients = Object.entries(services).filter(([, s]) => typeof s.environment?.['AMQP_URL'] === 'string' && s.environment['AMQP_URL'] !== '');
  if (clients.length === 0 && brokers.length === 0) return problems;
  for (const [name, broker] of brokers) {
    if (!broker.hostname) problems.push(`service ${name}: no fixed hostname; RabbitMQ keeps its data under its node name rabbit@<hostname>`);
    const volume = (broker.volumes ?? [])
      .map((v) => (typeof v === 'string' ? v.split(':') : [v.source ?? '', v.target ?? '']))
      .find(([, target]) => target === '/var/lib/rabbitmq');
    if (!volume?.[0] || !(volume[0] in (compose.volumes ?? {}))) problems.push(`service ${name}: no named volume at /var/lib/rabbitmq`);
    if ((broker.ports ?? []).length > 0) problems.push(`service ${name}: publishes ports; the broker is reached only over its internal network`);
    for (const network of networksOf(broker)) {
      if (compose.networks?.[network]?.internal !== true) problems.push(`network ${network} of ${name} is not internal`);
      for (const [other, o] of Object.entries(services)) {
        if (other !== name && networksOf(o).includes(network) && !clients.some(([c]) => c === other)) {
          problems.push(`service ${other} can reach ${name} (network ${network}) but publishes and consumes no events`);
        }
      }
    }
  }
  for (const [name, s] of clients) {
    const host = /@([^:/]+)/.exec(withDefaults(String(s.environment?.['AMQP_URL'])))?.[1];
    const broker = host ? services[host] : undefined;
    if (!host || !broker || !isBroker(broker)) {
      problems.push(`service ${name}: AMQP_URL host ${host ?? '?'} is not a rabbitmq service of this file`);
      continue;
    }
    if (!(host in dependsOn(s))) problems.push(`service ${name}: does not wait for ${host}`);
    if (!networksOf(s).some((n) => networksOf(broker).includes(n))) problems.push(`service ${name}: shares no network with ${host}`);
    const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v === null ? undefined : withDefaults(String(v))]));
    try {
      const problem = budgetProblem(durationMs(s.stop_grace_period), shutdownBudget(env, true), 'stop_grace_period');
      if (problem) problems.push(`service ${name}: ${problem}`);
    } catch (error) {
      problems.push(`service ${name}: ${(error as Error).message}`);
    }
  }
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

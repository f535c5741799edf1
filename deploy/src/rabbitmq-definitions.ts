// RabbitMQ definitions files (the JSON `rabbitmqctl import_definitions` and
// `load_definitions` read): what the deployment's broker imports at start.

export interface ExchangeDefinition {
  name: string;
  vhost: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
  internal: boolean;
  arguments: Record<string, unknown>;
}

export interface QueueDefinition {
  name: string;
  vhost: string;
  durable: boolean;
  auto_delete: boolean;
  arguments: Record<string, unknown>;
}

export interface BindingDefinition {
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments: Record<string, unknown>;
}

export interface UserDefinition {
  name: string;
  password?: string;
  password_hash?: string;
  tags: string | string[];
}

export interface PermissionDefinition {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

export interface Definitions {
  vhosts?: { name: string }[];
  exchanges?: ExchangeDefinition[];
  queues?: QueueDefinition[];
  bindings?: BindingDefinition[];
  users?: UserDefinition[];
  permissions?: PermissionDefinition[];
}

const SECTIONS = ['vhosts', 'exchanges', 'queues', 'bindings', 'users', 'permissions'] as const;

export function parseDefinitions(text: string, source: string): Definitions {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${source}: not a definitions object`);
  const unknown = Object.keys(parsed).filter((k) => !(SECTIONS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`${source}: sections this repository does not use: ${unknown.join(', ')}`);
  for (const section of SECTIONS) {
    const value = (parsed as Record<string, unknown>)[section];
    if (value !== undefined && !Array.isArray(value)) throw new Error(`${source}: "${section}" is not a list`);
  }
  return parsed as Definitions;
}

/** What a broker imports from several files (RabbitMQ imports each file of a directory in turn). */
export function mergeDefinitions(all: readonly Definitions[]): Definitions {
  const merged: Definitions = {};
  for (const definitions of all) {
    for (const section of SECTIONS) {
      const items = definitions[section];
      if (items) (merged[section] as unknown[]) = [...((merged[section] as unknown[] | undefined) ?? []), ...items];
    }
  }
  return merged;
}

/** The topology alone (vhosts aside): what declarations create, for comparing two files. */
export function topologyOf(d: Definitions): Required<Pick<Definitions, 'exchanges' | 'queues' | 'bindings'>> {
  const byName = <T extends object>(items: T[] | undefined, key: (t: T) => string): T[] => [...(items ?? [])].sort((a, b) => key(a).localeCompare(key(b)));
  return {
    exchanges: byName(d.exchanges, (e) => `${e.vhost}/${e.name}`),
    queues: byName(d.queues, (q) => `${q.vhost}/${q.name}`),
    bindings: byName(d.bindings, (b) => `${b.vhost}/${b.source}/${b.destination}/${b.routing_key}`),
  };
}

/** The directory or file `load_definitions` names in a rabbitmq.conf, or undefined. */
export function loadDefinitionsPath(conf: string): string | undefined {
  return /^\s*load_definitions\s*=\s*(\S+)\s*$/m.exec(conf)?.[1];
}

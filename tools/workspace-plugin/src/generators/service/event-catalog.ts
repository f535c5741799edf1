import type { Tree } from '@nx/devkit';
import { names } from '@nx/devkit';

export const EVENT_CONTRACTS = 'libs/contracts/src/event-contracts.ts';
const CONTRACTS_INDEX = 'libs/contracts/src/index.ts';

/** An event of the system a new service can consume, as @acme/contracts knows it. */
export interface ConsumedEvent {
  /** Full protobuf name, e.g. acme.user.v1.UserDeleted (the AMQP `type`). */
  readonly type: string;
  /** Its key in EVENTS, e.g. userDeleted. */
  readonly key: string;
  /** Its routing key on the events exchange, e.g. user.v1.deleted. */
  readonly routingKey: string;
  /** The message's TypeScript type through @acme/contracts, e.g. userEventsV1.UserDeleted. */
  readonly tsType: string;
  /** e.g. userEventsV1: what the handler imports the type from. */
  readonly alias: string;
  /** e.g. UserDeleted: the handler's class is UserDeletedHandler. */
  readonly message: string;
  /** e.g. user-deleted: the handler's file name. */
  readonly file: string;
  /** The publisher's domain, e.g. user: the consumer's queue is <app>.user-events. */
  readonly publisher: string;
}

/**
 * The event named `type`, found in @acme/contracts' hand-written EVENTS
 * (event-contracts.ts: `key: contract(MessageSchema, 'routing.key')`, the
 * schema imported from its generated module, which index.ts exports under an
 * alias). Anything not there is refused with the list of what is.
 */
export function consumedEvent(tree: Tree, type: string): ConsumedEvent {
  const contracts = tree.read(EVENT_CONTRACTS, 'utf-8') ?? '';
  const index = tree.read(CONTRACTS_INDEX, 'utf-8') ?? '';
  // Each imported schema by the name EVENTS uses: its own name and its generated module.
  const imports = new Map<string, { schema: string; module: string }>();
  for (const [, list = '', module = ''] of contracts.matchAll(/^import \{ ([^}]+) \} from '(\.\/gen\/acme\/[^']+)';$/gm)) {
    for (const name of list.split(',').map((s) => s.trim())) {
      const [schema = name, local = name] = name.split(' as ');
      imports.set(local, { schema, module });
    }
  }
  const known: string[] = [];
  for (const [, key = '', schemaName = '', routingKey = ''] of contracts.matchAll(/^ {2}(\w+): contract\((\w+), '([^']+)'\),$/gm)) {
    const imported = imports.get(schemaName);
    const pkg = imported && /^\.\/gen\/(\w+)\/(\w+)\/(v\d+)\//.exec(imported.module);
    if (!imported || !pkg) continue;
    const [, root, domain = '', version] = pkg;
    const message = imported.schema.replace(/Schema$/, '');
    const fullName = `${root}.${domain}.${version}.${message}`;
    known.push(fullName);
    if (fullName !== type) continue;
    const alias = new RegExp(`^export \\* as (\\w+) from '${imported.module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}';$`, 'm').exec(index)?.[1];
    if (!alias) throw new Error(`${CONTRACTS_INDEX}: ${imported.module} is not exported, so ${type} has no type to consume it with`);
    return { type, key, routingKey, tsType: `${alias}.${message}`, alias, message, file: names(message).fileName, publisher: domain.replace(/_/g, '-') };
  }
  throw new Error(`--consumes ${type}: not an event of ${EVENT_CONTRACTS} (${known.join(', ') || 'none'})`);
}

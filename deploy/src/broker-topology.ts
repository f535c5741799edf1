import type { Channel } from 'amqplib';
import { eventContractOf } from '@acme/contracts';
import { deadLetterQueueOf, declareConsumerQueues, declareEventsExchange, DEFAULT_DELIVERY_LIMIT, messagingEnv, type ConsumerQueueSpec } from '@acme/messaging';
import { deployedApps } from './deployed-apps';
import type { BindingDefinition, Definitions, ExchangeDefinition, QueueDefinition } from './rabbitmq-definitions';
import { topologyOf } from './rabbitmq-definitions';

// The topology a definitions file declares must be exactly what the services
// declare themselves: RabbitMQ refuses a declaration whose flags or arguments
// differ from the existing queue's (PRECONDITION_FAILED), and the consumer
// would then never start. So the expected topology is not written down here:
// the services' own declaration functions (@acme/messaging) run against a
// recording channel, and what they send is the reference.

/** The events exchange, as the services default it (AMQP_EXCHANGE unset). */
export const EVENTS_EXCHANGE: string = messagingEnv().AMQP_EXCHANGE.parse(undefined);

/** A queue a service consumes from, with the values its IdempotentConsumer declares it with. */
export type ConsumerQueue = ConsumerQueueSpec & { readonly service: string };

/**
 * The queues services consume from, as each states in its launch manifest
 * (`metadata.launch.broker.consumes`: the queue and the events bound to it),
 * with IdempotentConsumer's defaults for the rest (dead-letter queue
 * `<queue>.dlq`, the delivery limit); a tool may not import an app, and the
 * app's own tests hold its consumer to its manifest.
 */
export function consumerQueues(): ConsumerQueue[] {
  return deployedApps().flatMap(({ name, consumes }) =>
    consumes
      ? [
          {
            service: name,
            exchange: EVENTS_EXCHANGE,
            queue: consumes.queue,
            deadLetterQueue: deadLetterQueueOf(consumes.queue),
            routingKeys: consumes.events.map(routingKeyOf),
            deliveryLimit: DEFAULT_DELIVERY_LIMIT,
          },
        ]
      : [],
  );
}

function routingKeyOf(type: string): string {
  const event = eventContractOf(type);
  if (!event) throw new Error(`${type}: not an event of @acme/contracts (EVENTS)`);
  return event.routingKey;
}

type Declared = Required<Pick<Definitions, 'exchanges' | 'queues' | 'bindings'>>;

// amqplib's shorthand options and the arguments they become on the wire.
const QUEUE_SHORTHANDS: Record<string, string> = {
  messageTtl: 'x-message-ttl',
  expires: 'x-expires',
  deadLetterExchange: 'x-dead-letter-exchange',
  deadLetterRoutingKey: 'x-dead-letter-routing-key',
  maxLength: 'x-max-length',
  maxPriority: 'x-max-priority',
  overflow: 'x-overflow',
  queueMode: 'x-queue-mode',
};

/** A channel that records declarations as definitions entries (amqplib's defaults applied), and refuses anything it does not know. */
function recordingChannel(vhost: string, into: Declared): Channel {
  const known = (options: Record<string, unknown>, allowed: string[], what: string): void => {
    const unknown = Object.keys(options).filter((k) => !allowed.includes(k));
    if (unknown.length > 0) throw new Error(`${what}: options ${unknown.join(', ')} are not modelled by the deploy checks`);
  };
  const channel = {
    async assertExchange(name: string, type: string, options: Record<string, unknown> = {}) {
      known(options, ['durable', 'internal', 'autoDelete', 'arguments', 'alternateExchange'], `exchange ${name}`);
      const args = { ...((options['arguments'] as Record<string, unknown> | undefined) ?? {}) };
      if (options['alternateExchange'] !== undefined) args['alternate-exchange'] = options['alternateExchange'];
      const exchange: ExchangeDefinition = {
        name,
        vhost,
        type,
        durable: options['durable'] !== false,
        auto_delete: options['autoDelete'] === true,
        internal: options['internal'] === true,
        arguments: args,
      };
      into.exchanges.push(exchange);
      return { exchange: name };
    },
    async assertQueue(name: string, options: Record<string, unknown> = {}) {
      known(options, ['durable', 'exclusive', 'autoDelete', 'arguments', ...Object.keys(QUEUE_SHORTHANDS)], `queue ${name}`);
      if (options['exclusive'] === true) throw new Error(`queue ${name}: exclusive queues cannot be predeclared`);
      const args = { ...((options['arguments'] as Record<string, unknown> | undefined) ?? {}) };
      for (const [option, argument] of Object.entries(QUEUE_SHORTHANDS)) if (options[option] !== undefined) args[argument] = options[option];
      const queue: QueueDefinition = { name, vhost, durable: options['durable'] !== false, auto_delete: options['autoDelete'] === true, arguments: args };
      into.queues.push(queue);
      return { queue: name, messageCount: 0, consumerCount: 0 };
    },
    async bindQueue(destination: string, source: string, routingKey: string, args: Record<string, unknown> = {}) {
      const binding: BindingDefinition = { source, vhost, destination, destination_type: 'queue', routing_key: routingKey, arguments: { ...args } };
      into.bindings.push(binding);
      return {};
    },
  };
  return channel as unknown as Channel;
}

/** What the services declare in `vhost`: the events exchange (every publisher) and each consumer's queues and bindings. */
export async function declaredTopology(vhost: string): Promise<Declared> {
  const declared: Declared = { exchanges: [], queues: [], bindings: [] };
  const channel = recordingChannel(vhost, declared);
  await declareEventsExchange(channel, EVENTS_EXCHANGE);
  for (const spec of consumerQueues()) await declareConsumerQueues(channel, spec);
  const unique = <T>(items: T[]): T[] => [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];
  return { exchanges: unique(declared.exchanges), queues: unique(declared.queues), bindings: unique(declared.bindings) };
}

/**
 * Where a definitions file's topology differs from what the services declare:
 * an object declared differently (flags or arguments), one missing, one no
 * service declares. Everything must live in the file's single vhost.
 */
export async function topologyProblems(definitions: Definitions): Promise<string[]> {
  const vhosts = [...new Set((definitions.vhosts ?? []).map((v) => v.name))];
  if (vhosts.length !== 1) return [`declares ${vhosts.length} vhosts (${vhosts.join(', ')}), expected exactly one for the services`];
  const [vhost = ''] = vhosts;
  const actual = topologyOf(definitions);
  const expected = topologyOf(await declaredTopology(vhost));
  const problems: string[] = [];
  const compare = <T extends { vhost: string }>(kind: string, have: T[], want: T[], key: (t: T) => string): void => {
    for (const item of have) if (item.vhost !== vhost) problems.push(`${kind} ${key(item)}: in vhost "${item.vhost}", not "${vhost}"`);
    for (const w of want) {
      const h = have.find((x) => key(x) === key(w));
      if (!h) problems.push(`${kind} ${key(w)}: missing (the services declare ${JSON.stringify(w)})`);
      else if (JSON.stringify(sortKeys(h)) !== JSON.stringify(sortKeys(w))) {
        problems.push(`${kind} ${key(w)}: the definitions declare ${JSON.stringify(sortKeys(h))}, the services ${JSON.stringify(sortKeys(w))}`);
      }
    }
    for (const h of have) if (!want.some((w) => key(w) === key(h))) problems.push(`${kind} ${key(h)}: no service declares it`);
  };
  compare('exchange', actual.exchanges, expected.exchanges, (e) => e.name);
  compare('queue', actual.queues, expected.queues, (q) => q.name);
  compare('binding', actual.bindings, expected.bindings, (b) => `${b.source} -[${b.routing_key}]-> ${b.destination}`);
  return problems;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
}

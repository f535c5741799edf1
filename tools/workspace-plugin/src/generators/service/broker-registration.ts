import type { Tree } from '@nx/devkit';
import type { ConsumedEvent } from './event-catalog';
import { admitPods } from './network-policy-edits';
import { editSource } from './source-edits';

// The new service's place on the broker (--events): its consumer's queue,
// dead-letter queue and binding in the topology every broker imports, and its
// own broker user with exactly the permissions it needs in each deployment
// that runs a broker. The deploy checks need no edit: they derive what the
// services declare and may do from the launch manifests (broker.consumes).

export const BROKER = {
  topology: ['deploy/rabbitmq/definitions.json', 'k8s/overlays/dev/rabbitmq/definitions.json'],
  users: ['deploy/rabbitmq/compose-users.json', 'k8s/overlays/dev/rabbitmq/users.json'],
  /** The dev cluster's broker, whose NetworkPolicy admits the services that use it. */
  devBroker: 'k8s/overlays/dev/rabbitmq/rabbitmq.yaml',
} as const;

/** The events exchange every service publishes to (AMQP_EXCHANGE's default). */
export const EVENTS_EXCHANGE = 'acme.events';
/** IdempotentConsumer's default delivery limit, as the deploy checks model it. */
const DELIVERY_LIMIT = 20;

/** What --events gives the new service on the broker. */
export interface BrokerNames {
  /** Its broker user (its app name) and that user's development password. */
  readonly user: string;
  readonly password: string;
  /** Its consumer's queue, e.g. inventory-service.user-events, and the queue's dead letters. */
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly consumed: ConsumedEvent;
}

export function brokerNames(app: string, consumed: ConsumedEvent): BrokerNames {
  const queue = `${app}.${consumed.publisher}-events`;
  return { user: app, password: `dev-only-${app}-amqp-password`, queue, deadLetterQueue: `${queue}.dlq`, consumed };
}

/** The development AMQP_URL of the new service on the broker at `host`. */
export const amqpUrl = (b: BrokerNames, host = 'rabbitmq') => `amqp://${b.user}:${b.password}@${host}:5672/acme`;

const regexAlternatives = (names: string[]) => `^(${names.map((n) => n.replace(/[.]/g, '\\\\.')).join('|')})$`;

/** `text` with `entry` inserted before the `]` that closes the top-level array `key` of a JSON file laid out as these are. */
function insertIntoArray(path: string, text: string, key: string, entry: string): string {
  const start = text.indexOf(`\n  "${key}": [`);
  if (start < 0) throw new Error(`${path}: no top-level "${key}" array, where the generator adds ${entry.trim().slice(0, 60)}...`);
  const end = text.indexOf('\n  ]', start);
  if (end < 0) throw new Error(`${path}: the "${key}" array does not end with a line "  ]"`);
  return `${text.slice(0, end)},\n${entry}${text.slice(end)}`;
}

function editJson(tree: Tree, path: string, edit: (text: string) => string): void {
  editSource(tree, path, (text) => {
    const edited = edit(text);
    JSON.parse(edited); // what the broker imports must stay JSON
    return edited;
  });
}

export function registerBroker(tree: Tree, b: BrokerNames): void {
  const { queue, deadLetterQueue, consumed } = b;
  for (const path of BROKER.topology) {
    editJson(tree, path, (text) => {
      let edited = insertIntoArray(
        path,
        text,
        'queues',
        `    {
      "name": "${queue}",
      "vhost": "acme",
      "durable": true,
      "auto_delete": false,
      "arguments": {
        "x-queue-type": "quorum",
        "x-delivery-limit": ${DELIVERY_LIMIT},
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "${deadLetterQueue}"
      }
    },
    {
      "name": "${deadLetterQueue}",
      "vhost": "acme",
      "durable": true,
      "auto_delete": false,
      "arguments": { "x-queue-type": "quorum" }
    }`,
      );
      edited = insertIntoArray(
        path,
        edited,
        'bindings',
        `    {
      "source": "${EVENTS_EXCHANGE}",
      "vhost": "acme",
      "destination": "${queue}",
      "destination_type": "queue",
      "routing_key": "${consumed.routingKey}",
      "arguments": {}
    }`,
      );
      return edited;
    });
  }
  // Publishes to the exchange; declares, binds, consumes and dead-letters its own queues, as order-service does.
  for (const path of BROKER.users) {
    editJson(tree, path, (text) =>
      insertIntoArray(
        path,
        insertIntoArray(path, text, 'users', `    { "name": "${b.user}", "password": "${b.password}", "tags": "" }`),
        'permissions',
        `    {
      "user": "${b.user}",
      "vhost": "acme",
      "configure": "${regexAlternatives([EVENTS_EXCHANGE, queue, deadLetterQueue])}",
      "write": "${regexAlternatives([EVENTS_EXCHANGE, 'amq.default', queue])}",
      "read": "${regexAlternatives([EVENTS_EXCHANGE, queue])}"
    }`,
      ),
    );
  }

  admitPods(tree, BROKER.devBroker, 'rabbitmq', b.user);
}

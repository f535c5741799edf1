import { readFileSync } from 'node:fs';
import { brokerAccess, credentialProblems, userProblems } from '../src/broker-access';
import { consumerQueues, EVENTS_EXCHANGE, topologyProblems } from '../src/broker-topology';
import { composeBrokerWiring, k8sBrokerWiring, type BrokerWiring } from '../src/broker-wiring';
import { parseCompose } from '../src/compose-checks';
import { renderOverlay } from '../src/kustomize';
import { parseDefinitions, topologyOf, type Definitions } from '../src/rabbitmq-definitions';
import { repoPath } from '../src/repo';
import { deployedApps } from '../src/deployed-apps';

// The event broker of each deployment that runs one (compose, the dev
// overlay), checked on what it really imports at start, followed through its
// mounts. Prod runs no broker: its operator imports deploy/rabbitmq/definitions.json.

const TOPOLOGY_FILE = 'deploy/rabbitmq/definitions.json';
const topologyFile = (): Definitions => parseDefinitions(readFileSync(repoPath(TOPOLOGY_FILE), 'utf8'), TOPOLOGY_FILE);

// What each service's broker user may do, and nothing more, by what its
// launch manifest says it does: every service with a broker declares the
// events exchange and publishes to it; one that consumes (broker.consumes)
// also declares its queue and dead-letter queue, binds the queue (write on
// the queue, read on the exchange), consumes it, and dead-letters through the
// default exchange (write on amq.default, also checked when a queue with a
// dead-letter exchange is declared).
const expectedAccess = (): string[] => {
  const queues = consumerQueues();
  return deployedApps()
    .filter((app) => app.broker)
    .flatMap(({ name }) => {
      const publishes = [`configure exchange ${EVENTS_EXCHANGE}`, `write exchange ${EVENTS_EXCHANGE}`];
      const consumes = queues
        .filter((q) => q.service === name)
        .flatMap(({ queue, deadLetterQueue }) => [
          `configure queue ${queue}`,
          `configure queue ${deadLetterQueue}`,
          `read exchange ${EVENTS_EXCHANGE}`,
          `read queue ${queue}`,
          'write exchange amq.default',
          `write queue ${queue}`,
        ]);
      return [...new Set([...publishes, ...consumes])].map((access) => `${name}: ${access}`);
    });
};

// The "fails on" cases expect a problem per service that the broken part
// concerns, so a generated service is expected among them too.
const brokerApps = (): string[] => deployedApps().filter((app) => app.broker).map((app) => app.name);
const consumedQueues = (): string[] => consumerQueues().map((q) => q.queue).sort();
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const DEPLOYMENTS: Record<string, () => BrokerWiring> = {
  'docker-compose.yml': () => composeBrokerWiring(parseCompose(readFileSync(repoPath('docker-compose.yml'), 'utf8'))),
  'k8s/overlays/dev': () => k8sBrokerWiring(renderOverlay('dev')),
};

describe(TOPOLOGY_FILE, () => {
  it('declares exactly what the services declare, argument for argument', async () => {
    expect(await topologyProblems(topologyFile())).toEqual([]);
  });

  it('holds no users or permissions: operators import it into their own broker', () => {
    expect(Object.keys(topologyFile()).sort()).toEqual(['bindings', 'exchanges', 'queues', 'vhosts']);
  });
});

describe.each(Object.keys(DEPLOYMENTS))('the broker of %s', (deployment) => {
  let broker: BrokerWiring;
  beforeAll(() => {
    broker = DEPLOYMENTS[deployment]!();
  });

  it('imports the topology and the users through its rabbitmq.conf load_definitions directory', () => {
    expect(broker.problems).toEqual([]);
    expect(broker.files.map((f) => f.split(' -> ')[1]).sort()).toEqual(['/etc/rabbitmq/definitions/topology.json', '/etc/rabbitmq/definitions/users.json']);
  });

  it(`imports the same topology as ${TOPOLOGY_FILE}`, () => {
    expect(topologyOf(broker.definitions)).toEqual(topologyOf(topologyFile()));
  });

  it('declares exactly what the services declare, so their own declarations are accepted', async () => {
    expect(await topologyProblems(broker.definitions)).toEqual([]);
  });

  it("gives every service's AMQP_URL a user with that password and permissions on its vhost", () => {
    expect(broker.urls.map((u) => /\S+$/.exec(u.who)![0]).sort()).toEqual(deployedApps().filter((app) => app.broker).map((app) => app.name));
    expect(credentialProblems(broker.urls, broker.definitions)).toEqual([]);
    expect(userProblems(broker.definitions)).toEqual([]);
  });

  it('grants each service user exactly the access it needs', () => {
    // Sorted as brokerAccess sorts: the order then holds whatever the exchange is named (nx g ...:rename).
    expect(brokerAccess(broker.definitions)).toEqual(expectedAccess().sort());
  });
});

describe('the broker checks fail on', () => {
  const copy = (): Definitions => structuredClone(topologyFile());

  it('a queue declared with other arguments or flags than the service declares', async () => {
    const d = copy();
    d.queues!.find((q) => q.name === 'order-service.user-events')!.arguments['x-delivery-limit'] = 10;
    d.queues!.find((q) => q.name === 'order-service.user-events.dlq')!.durable = false;
    expect(await topologyProblems(d)).toEqual([
      expect.stringMatching(/^queue order-service\.user-events: the definitions declare .*"x-delivery-limit":10.*, the services .*"x-delivery-limit":20/),
      expect.stringMatching(/^queue order-service\.user-events\.dlq: the definitions declare \{"arguments":\{"x-queue-type":"quorum"\},"auto_delete":false,"durable":false/),
    ]);
  });

  it('a missing binding, an object no service declares, a second vhost', async () => {
    const d = copy();
    d.bindings = [];
    d.queues!.push({ name: 'stray', vhost: 'acme', durable: true, auto_delete: false, arguments: {} });
    expect(await topologyProblems(d)).toEqual([
      'queue stray: no service declares it',
      ...consumedQueues().map((queue) => expect.stringMatching(new RegExp(`^binding acme\\.events -\\[user\\.v1\\.deleted\\]-> ${escaped(queue)}: missing`))),
    ]);
    d.vhosts!.push({ name: '/' });
    expect(await topologyProblems(d)).toEqual(['declares 2 vhosts (acme, /), expected exactly one for the services']);
  });

  it('an AMQP_URL whose password, user or vhost the broker does not know', () => {
    const { definitions, urls } = DEPLOYMENTS['docker-compose.yml']!();
    const wrong = urls.map((u) => ({
      who: u.who,
      url: u.who.endsWith('user-service') ? u.url.replace('dev-only-user-service-amqp-password', 'typo') : u.url.replace(/\/acme$/, '/%2F'),
    }));
    expect(credentialProblems(wrong, definitions).sort()).toEqual(
      brokerApps().map((app) =>
        app === 'user-service' ? 'service user-service: AMQP_URL\'s password is not user "user-service"\'s' : `service ${app}: user "${app}" has no permissions on vhost "/"`,
      ),
    );
    expect(credentialProblems([{ who: 'x', url: 'amqp://guest:guest@rabbitmq:5672/acme' }], definitions)).toEqual([
      'x: AMQP_URL names user "guest", which the broker does not define',
    ]);
  });

  it('permissions wider than a service needs, or users with tags', () => {
    const { definitions } = DEPLOYMENTS['k8s/overlays/dev']!();
    const d = structuredClone(definitions);
    d.permissions!.find((p) => p.user === 'user-service')!.read = '.*';
    d.users!.find((u) => u.name === 'order-service')!.tags = 'administrator';
    const expected = new Set(expectedAccess());
    expect(brokerAccess(d).filter((a) => !expected.has(a))).toEqual([
      'user-service: read exchange acme.events',
      'user-service: read exchange amq.default',
      ...consumedQueues().flatMap((queue) => [`user-service: read queue ${queue}`, `user-service: read queue ${queue}.dlq`]),
    ].sort());
    expect(userProblems(d)).toEqual(['user order-service: tags administrator; service users need none']);
  });

  it('a broker that does not import its users, or no definitions at all', () => {
    const objects = renderOverlay('dev');
    const broker = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'rabbitmq') as unknown as {
      spec: { template: { spec: { volumes: { name: string; projected?: { sources: unknown[] } }[]; containers: { volumeMounts: { mountPath: string }[] }[] } } };
    };
    const projected = broker.spec.template.spec.volumes.find((v) => v.name === 'definitions')!.projected!;
    projected.sources = projected.sources.slice(0, 1);
    const withoutUsers = k8sBrokerWiring(objects);
    expect(withoutUsers.problems).toEqual([]);
    expect(credentialProblems(withoutUsers.urls, withoutUsers.definitions).sort()).toEqual(
      brokerApps().map((app) => `Deployment/${app} container ${app}: AMQP_URL names user "${app}", which the broker does not define`),
    );
    broker.spec.template.spec.containers[0]!.volumeMounts = broker.spec.template.spec.containers[0]!.volumeMounts.filter((m) => !m.mountPath.includes('conf.d'));
    expect(k8sBrokerWiring(objects).problems).toEqual([
      'StatefulSet/rabbitmq container rabbitmq: no rabbitmq.conf mounted into /etc/rabbitmq/conf.d/ sets load_definitions',
    ]);

    const compose = parseCompose(readFileSync(repoPath('docker-compose.yml'), 'utf8'));
    compose.services['rabbitmq']!.volumes = compose.services['rabbitmq']!.volumes!.filter((v) => !String(v).includes('definitions.json'));
    compose.services['rabbitmq']!.volumes!.push('./deploy/rabbitmq/definition.json:/etc/rabbitmq/definitions/topology.json:ro');
    expect(composeBrokerWiring(compose).problems).toEqual(['service rabbitmq: mounts ./deploy/rabbitmq/definition.json, which does not exist']);
  });
});

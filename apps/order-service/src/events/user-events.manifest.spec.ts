import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OrdersRepository } from '../orders/orders.repository';
import { UserDeletedHandler } from './user-deleted.handler';
import { USER_EVENTS_CONSUMER } from './user-events.consumer';

// The deployment checks (deploy/) derive the broker's queues, bindings and
// this service's broker permissions from its launch manifest, since a tool may
// not import an app. This holds the consumer to what the manifest says.
describe("order-service's launch manifest", () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '../../project.json'), 'utf8')) as {
    metadata: { launch: { broker?: { consumes?: { queue: string; events: string[] } } } };
  };

  it('names the queue the consumer consumes and the events it has handlers for', () => {
    const handlers = [new UserDeletedHandler(undefined as unknown as OrdersRepository)];
    expect(manifest.metadata.launch.broker?.consumes).toEqual({
      queue: USER_EVENTS_CONSUMER,
      events: handlers.map((h) => h.contract.type),
    });
  });
});

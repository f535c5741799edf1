import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AmqpConnection } from '../amqp/amqp-connection';
import type { MessagingSettings } from '../config/messaging-env';

export const MESSAGING_SETTINGS = Symbol('MESSAGING_SETTINGS');
/** The service's database (a SqlDatabase), which the outbox relay reads. */
export const MESSAGING_DATABASE = Symbol('MESSAGING_DATABASE');

/** Why a connection is used. Publishing and consuming never share one (see AmqpConnection). */
export type ConnectionPurpose = 'publisher' | 'consumer';

/**
 * The service's broker connections, one per purpose, opened on first use and
 * closed last at shutdown (after the relay and consumers stopped).
 */
@Injectable()
export class MessagingConnections implements OnApplicationShutdown {
  private readonly connections = new Map<ConnectionPurpose, Promise<AmqpConnection>>();

  constructor(@Inject(MESSAGING_SETTINGS) readonly settings: MessagingSettings) {}

  /** False when AMQP_URL is not set: nothing is published or consumed. */
  get enabled(): boolean {
    return this.settings.url !== undefined;
  }

  /** The connection for `purpose`, connecting in the background. Throws when no broker is configured. */
  connection(purpose: ConnectionPurpose): Promise<AmqpConnection> {
    const url = this.settings.url;
    if (url === undefined) return Promise.reject(new Error('no broker configured (AMQP_URL is not set)'));
    let connection = this.connections.get(purpose);
    if (!connection) {
      const created = new AmqpConnection({
        url,
        name: `${this.settings.serviceName} ${purpose}`,
        reconnectMaxDelayMs: this.settings.reconnectMaxDelayMs,
      });
      connection = created.start().then(() => created);
      this.connections.set(purpose, connection);
    }
    return connection;
  }

  async onApplicationShutdown(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((c) => c.then((connection) => connection.close()).catch(() => undefined)));
  }
}

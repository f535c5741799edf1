import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { connect, type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import { redactAmqpUrl } from '../config/messaging-env';

export interface AmqpConnectionOptions {
  readonly url: string;
  /** Shown by the broker as the connection's name (e.g. "order-service publisher") and used in logs. */
  readonly name: string;
  /** Upper bound of the reconnect backoff. */
  readonly reconnectMaxDelayMs: number;
}

interface ConnectionEvents {
  connect: [ChannelModel];
  disconnect: [Error];
  blocked: [string];
  unblocked: [];
}

/**
 * One AMQP connection that comes back by itself. amqplib's recovery reconnects
 * with exponential backoff and jitter whenever the connection drops (broker
 * restart, network cut, heartbeat timeout, connection-level error); channels
 * die with their connection, so users subscribe to `connect` and build theirs
 * again on each new connection.
 *
 * Also tracks flow control: a broker short of memory or disk *blocks*
 * publishing connections, and a publish on a blocked connection hangs rather
 * than fails. `blocked` lets publishers hold back instead of piling up.
 *
 * Publishers and consumers should use separate connections: a blocked
 * connection also stalls the acknowledgements a consumer sends on it.
 */
export class AmqpConnection extends EventEmitter<ConnectionEvents> {
  private readonly logger: Logger;
  private recovering: RecoveringChannelModel | undefined;
  private model: ChannelModel | undefined;
  private blockedReason: string | undefined;
  private failures = 0;
  private closed = false;

  constructor(private readonly options: AmqpConnectionOptions) {
    super();
    this.logger = new Logger(`AMQP ${options.name}`);
  }

  /** Starts connecting in the background; never waits for (or fails because of) the broker. */
  async start(): Promise<void> {
    if (this.recovering || this.closed) return;
    const target = redactAmqpUrl(this.options.url);
    this.recovering = await connect(this.options.url, {
      clientProperties: { connection_name: this.options.name },
      recovery: { waitForConnect: false, initialDelay: 100, maxDelay: this.options.reconnectMaxDelayMs, factor: 2, jitter: 0.2 },
    });
    this.recovering.on('connect', (model) => {
      this.model = model;
      this.blockedReason = undefined;
      this.logger.log(`connected to ${target}${this.failures > 0 ? ` after ${this.failures} failed attempts` : ''}`);
      this.failures = 0;
      this.emit('connect', model);
    });
    this.recovering.on('disconnect', (error) => {
      this.model = undefined;
      this.logger.warn(`connection to ${target} lost (${error.message}); reconnecting`);
      this.emit('disconnect', error);
    });
    this.recovering.on('reconnect-scheduled', ({ attempt, delay, error }) => {
      this.failures = attempt;
      // The first failure, and then every tenth, at warn: a broker that stays away must not flood the log.
      const message = `cannot reach ${target} (${error.message}); attempt ${attempt}, retrying in ${delay} ms`;
      if (attempt === 1 || attempt % 10 === 0) this.logger.warn(message);
      else this.logger.debug(message);
    });
    this.recovering.on('blocked', (reason) => {
      this.blockedReason = reason || 'no reason given';
      this.logger.warn(`broker blocked the connection (${this.blockedReason}): publishing is paused`);
      this.emit('blocked', this.blockedReason);
    });
    this.recovering.on('unblocked', () => {
      this.blockedReason = undefined;
      this.logger.log('broker unblocked the connection: publishing resumes');
      this.emit('unblocked');
    });
    // Connection errors precede a 'disconnect'; listening here keeps them from
    // crashing the process as unhandled 'error' events.
    this.recovering.on('error', (error) => this.logger.warn(`connection error: ${error.message}`));
  }

  get connected(): boolean {
    return this.model !== undefined;
  }

  /** The broker's reason while it blocks this connection (flow control), else undefined. */
  get blocked(): string | undefined {
    return this.blockedReason;
  }

  /** The live connection, if any. Channels opened on it die when it does. */
  get current(): ChannelModel | undefined {
    return this.model;
  }

  /** Resolves once connected and not blocked, or when `signal` aborts. */
  async whenUsable(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && (!this.connected || this.blocked !== undefined)) {
      await new Promise<void>((resolve) => {
        // A new connection starts unblocked, so either event may end the wait.
        const done = () => {
          this.off('connect', done);
          this.off('unblocked', done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.on('connect', done);
        this.on('unblocked', done);
        signal.addEventListener('abort', done);
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.model = undefined;
    await this.recovering?.close();
  }
}

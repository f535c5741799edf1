import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The broker tests use: the machine's RabbitMQ by default. */
export const TEST_AMQP_BASE_URL = process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
/** rabbitmqctl creates and deletes the per-run virtual hosts (the management plugin is not assumed). */
const RABBITMQCTL = process.env['RABBITMQCTL'] ?? 'rabbitmqctl';

export interface TestVhost {
  readonly name: string;
  /** TEST_AMQP_BASE_URL with this vhost, e.g. amqp://guest:guest@127.0.0.1:5672/events_x1. */
  readonly url: string;
  /** The same vhost reached through another host:port (a proxy). */
  urlVia(port: number, host?: string): string;
  /**
   * Makes the broker close every client connection to this vhost, as it does
   * to all clients when it shuts down for a restart (connection.close with
   * 320 CONNECTION_FORCED). Other vhosts, and so other test runs, are untouched.
   */
  closeConnections(reason: string): Promise<void>;
  /** Deletes the vhost with every exchange, queue and message in it. */
  delete(): Promise<void>;
}

async function rabbitmqctl(...args: string[]): Promise<void> {
  try {
    await run(RABBITMQCTL, ['-q', ...args], { timeout: 60_000 });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error instanceof Error ? error.message : String(error));
    throw new Error(
      `\`${RABBITMQCTL} ${args.join(' ')}\` failed: ${detail}\n` +
        'Tests create a RabbitMQ virtual host per run with rabbitmqctl, which needs to run as root (or the rabbitmq user) on the broker host; set RABBITMQCTL to another command if needed.',
    );
  }
}

/**
 * A fresh RabbitMQ virtual host for one test run, with full permissions for
 * the test user: runs never see each other's exchanges, queues or messages,
 * and deleting it removes everything the run created.
 */
export async function createTestVhost(prefix: string): Promise<TestVhost> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unusable vhost name ${name}`);
  const base = new URL(TEST_AMQP_BASE_URL);
  const user = decodeURIComponent(base.username || 'guest');
  await rabbitmqctl('add_vhost', name);
  await rabbitmqctl('set_permissions', '-p', name, user, '.*', '.*', '.*');
  const urlVia = (port: number, host = base.hostname) => {
    const url = new URL(TEST_AMQP_BASE_URL);
    url.hostname = host;
    url.port = String(port);
    url.pathname = `/${name}`;
    return url.toString();
  };
  return {
    name,
    url: urlVia(Number(base.port || 5672)),
    urlVia,
    closeConnections: (reason) => rabbitmqctl('close_all_connections', '--vhost', name, '--limit', '1000', reason),
    delete: () => rabbitmqctl('delete_vhost', name),
  };
}

import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { sqlIdentifier, type SqlExecutor } from '../sql';

// Publishing starts when a write to the outbox commits, without the service
// calling anything: a statement trigger on the outbox table sends a NOTIFY,
// which Postgres delivers only when (and if) the transaction commits, to every
// replica listening on that database. The relay listens and runs a cycle.

/** The notification channel of an outbox table. */
export const outboxChannel = (table: string): string => `${table}_written`;

/**
 * Migration helper: the trigger that notifies outboxChannel(table) after each
 * statement that inserts into the table. Each service's migration calls it, so
 * the SQL lives here, once.
 */
export async function createOutboxNotifyTrigger(db: SqlExecutor, table: string): Promise<void> {
  const t = sqlIdentifier(table);
  const fn = sqlIdentifier(`${table}_notify_written`);
  await db.query(`
    CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${outboxChannel(table)}', '');
      RETURN NULL;
    END $$`);
  await db.query(`CREATE TRIGGER ${fn} AFTER INSERT ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
}

export async function dropOutboxNotifyTrigger(db: SqlExecutor, table: string): Promise<void> {
  const fn = sqlIdentifier(`${table}_notify_written`);
  await db.query(`DROP TRIGGER IF EXISTS ${fn} ON ${sqlIdentifier(table)}`);
  await db.query(`DROP FUNCTION IF EXISTS ${fn}()`);
}

export interface OutboxListenerOptions {
  /** postgres:// URL of the service's database. */
  readonly url: string;
  readonly table: string;
  /** Called for each commit that wrote outbox rows, and after each (re)connect (writes may have been missed meanwhile). */
  readonly onWritten: () => void;
  /** Wait before reconnecting after the connection was lost (the relay's polling covers the gap). */
  readonly reconnectDelayMs: number;
}

/**
 * One connection of its own (not one of the pool's) that LISTENs for commits
 * to the outbox, reconnecting after database outages until stopped.
 */
export class OutboxListener {
  private readonly logger = new Logger('OutboxListener');
  private client: Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly options: OutboxListenerOptions) {}

  /** Resolves once listening, or once the first attempt failed (it keeps retrying). */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.options.url, application_name: 'outbox-listener' });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost || this.stopped) return;
      lost = true;
      this.client = undefined;
      this.logger.warn(`lost the connection that listens for outbox commits (${error?.message ?? 'closed'}); polling until it is back`);
      client.end().catch(() => undefined);
      this.retry = setTimeout(() => void this.connect(), this.options.reconnectDelayMs);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', () => this.options.onWritten());
    try {
      await client.connect();
      await client.query(`LISTEN ${sqlIdentifier(outboxChannel(this.options.table))}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.options.onWritten();
    } catch (error) {
      onLost(error as Error);
    }
  }
}

import { Client } from 'pg';
import { ServiceStack } from '@acme/testing';
import { expectStatus, status } from './support/expect-status';

// CreateUser with an idempotency key is safe to repeat: the case that made it
// necessary is a first attempt whose deadline runs out after the user was
// written (here: while its INSERT waits for a table lock the test holds), so
// the caller cannot know whether it succeeded and must retry.
describe('CreateUser retried after a deadline (real processes, real gRPC, real Postgres)', () => {
  let system: ServiceStack;
  beforeAll(async () => {
    system = await ServiceStack.start({ prefix: 'e2e_create_retry' });
  });
  afterAll(() => system?.stop());

  /** Holds a lock that blocks every INSERT into users until release(). */
  async function blockUserInserts(): Promise<{ waitForBlockedInsert(): Promise<void>; release(): Promise<void> }> {
    const client = new Client({ connectionString: system.userDb.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE users IN SHARE MODE');
    return {
      // Bounded poll of the server's own view: the service's INSERT is queued behind our lock.
      // (From another connection: inside a transaction pg_stat_activity is a snapshot.)
      async waitForBlockedInsert() {
        for (let i = 0; i < 500; i++) {
          const rows = await system.userDb.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO users%'`,
          );
          if (rows.length > 0) return;
        }
        throw new Error('the INSERT into users never waited for the lock');
      },
      async release() {
        await client.query('ROLLBACK');
        await client.end();
      },
    };
  }

  /** The first attempt: its INSERT is held until after the caller's deadline ran out. */
  async function attemptThatTimesOut(request: { email: string; name: string; idempotencyKey: string }): Promise<void> {
    const lock = await blockUserInserts();
    try {
      const attempt = system.users.createUser(request, { deadlineMs: 1_000 });
      const settled = attempt.then(() => 'answered', () => 'failed');
      await lock.waitForBlockedInsert();
      expect(await Promise.race([settled, Promise.resolve('pending')])).toBe('pending');
      await expectStatus(attempt, status.DEADLINE_EXCEEDED);
    } finally {
      await lock.release();
    }
    // The held INSERT runs as soon as the lock is gone, though nobody waits for its answer:
    // the retry must come after it, as it would in real life.
    for (let i = 0; i < 500 && (await rowsFor(request.email)).length === 0; i++);
    expect(await rowsFor(request.email)).toHaveLength(1);
  }

  async function rowsFor(email: string): Promise<{ id: string; idempotency_key: string | null }[]> {
    return system.userDb.query(`SELECT id, idempotency_key FROM users WHERE email = $1`, [email]);
  }

  it('with the same key, the retry answers with the user the timed-out attempt wrote', async () => {
    const request = { email: 'retry@example.com', name: 'Retry', idempotencyKey: 'signup-retry-1' };
    await attemptThatTimesOut(request);
    const retried = await system.users.createUser(request);
    expect(retried).toMatchObject({ email: request.email, name: request.name });
    expect(await rowsFor(request.email)).toEqual([{ id: retried.id, idempotency_key: 'signup-retry-1' }]);
    // And any later repeat too.
    expect(await system.users.createUser(request)).toEqual(retried);
  });

  it('without a key, the retry cannot tell success from conflict: ALREADY_EXISTS (why the key exists)', async () => {
    const request = { email: 'nokey@example.com', name: 'No Key', idempotencyKey: '' };
    await attemptThatTimesOut(request);
    await expectStatus(system.users.createUser(request), status.ALREADY_EXISTS, 'a user with email nokey@example.com already exists');
    expect(await rowsFor(request.email)).toHaveLength(1);
  });

  it('a key reused with a different email or name is FAILED_PRECONDITION; another key for a taken email is ALREADY_EXISTS', async () => {
    const first = await system.users.createUser({ email: 'keyed@example.com', name: 'Keyed', idempotencyKey: 'signup-keyed' });
    await expectStatus(
      system.users.createUser({ email: 'keyed@example.com', name: 'Someone Else', idempotencyKey: 'signup-keyed' }),
      status.FAILED_PRECONDITION,
      `idempotency_key "signup-keyed" was already used for user ${first.id} with a different email or name`,
    );
    await expectStatus(
      system.users.createUser({ email: 'another@example.com', name: 'Keyed', idempotencyKey: 'signup-keyed' }),
      status.FAILED_PRECONDITION,
    );
    // A replay is the same request byte for byte: another letter case of the email is not one.
    await expectStatus(
      system.users.createUser({ email: 'KEYED@example.com', name: 'Keyed', idempotencyKey: 'signup-keyed' }),
      status.FAILED_PRECONDITION,
    );
    await expectStatus(
      system.users.createUser({ email: 'Keyed@Example.com', name: 'Keyed', idempotencyKey: 'signup-other' }),
      status.ALREADY_EXISTS,
    );
    expect(await system.userDb.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) IN ('keyed@example.com', 'another@example.com')`)).toEqual([{ n: 1 }]);
  });

  it('concurrent identical requests with one key write one user and all answer it', async () => {
    const request = { email: 'burst@example.com', name: 'Burst', idempotencyKey: 'signup-burst' };
    const answers = await Promise.all(Array.from({ length: 10 }, () => system.users.createUser(request)));
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    expect(await rowsFor(request.email)).toHaveLength(1);
  });
});

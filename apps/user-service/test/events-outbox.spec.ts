import { v7 as uuidv7 } from 'uuid';
import { EVENTS } from '@acme/contracts';
import { createMigratedDatabase, type MigratedDatabase } from '@acme/testing';
import { loadUserServiceConfig } from '../src/config';
import { userDatabase } from '../src/database/data-source';
import { UsersRepository } from '../src/users/users.repository';

interface OutboxRow {
  event_id: string;
  event_type: string;
  routing_key: string;
  payload: Buffer;
  sent_time: Date | null;
}

// DeleteUser's transactional outbox: the UserDeleted row is written by the
// very statement that deletes the user, so one never exists without the other.
describe('user-service outbox (real Postgres)', () => {
  let db: MigratedDatabase;
  let users: UsersRepository;
  const outbox = () => db.database.query<OutboxRow>('SELECT event_id, event_type, routing_key, payload, sent_time FROM outbox ORDER BY id');

  beforeAll(async () => {
    db = await createMigratedDatabase('users_outbox', (url) => loadUserServiceConfig({ DATABASE_URL: url }), userDatabase);
    users = new UsersRepository(db.sql);
  });
  afterEach(() => db.database.query('TRUNCATE outbox'));
  afterAll(() => db.cleanup());

  it('records one pending UserDeleted with the deletion', async () => {
    const id = uuidv7();
    await users.insert({ id, email: `${id}@example.com`, name: 'Ada', idempotencyKey: '' });
    expect(await outbox()).toEqual([]); // creating a user announces nothing

    expect(await users.deleteById(id)).toBe(true);

    const [row, ...more] = await outbox();
    expect(more).toEqual([]);
    expect(row).toMatchObject({ event_type: 'acme.user.v1.UserDeleted', routing_key: 'user.v1.deleted', sent_time: null });
    const event = EVENTS.userDeleted.decode(row!.payload);
    expect(event).toMatchObject({ eventId: row!.event_id, userId: id });
    expect(Number(event.occurTime?.seconds)).toBeGreaterThan(0);
  });

  it('records nothing when there was no user to delete (also on a repeated delete)', async () => {
    const id = uuidv7();
    await users.insert({ id, email: `${id}@example.com`, name: 'Bo', idempotencyKey: '' });
    expect(await users.deleteById(id)).toBe(true);
    expect(await users.deleteById(id)).toBe(false);
    expect(await users.deleteById(uuidv7())).toBe(false);
    expect(await outbox()).toHaveLength(1);
  });

  it('writes neither the deletion nor the event when the statement fails', async () => {
    const id = uuidv7();
    await users.insert({ id, email: `${id}@example.com`, name: 'Cy', idempotencyKey: '' });
    // Make the outbox insert fail: the same statement's DELETE must roll back with it.
    await db.database.query(`ALTER TABLE outbox ADD CONSTRAINT reject_all CHECK (false) NOT VALID`);
    try {
      await expect(users.deleteById(id)).rejects.toThrow(/reject_all/);
    } finally {
      await db.database.query(`ALTER TABLE outbox DROP CONSTRAINT reject_all`);
    }
    expect(await users.findById(id)).not.toBeNull();
    expect(await outbox()).toEqual([]);
  });
});

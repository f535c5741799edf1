import { once } from 'node:events';
import { type CallOptions, credentials, makeGenericClientConstructor, Metadata, status, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';
import { grpcServiceDefinition, type RequestInitOf, SERVICES, type userV1 } from '@acme/contracts';
import type { Upstream } from '@acme/grpc-kit';
import { freshTestDatabases, launchSystem, type RunningSystem, testClient } from '@acme/testing';

const USER = 'user-service';
type ImportItem = RequestInitOf<typeof SERVICES.user, 'importUsers'>;

/** Streams `items` to ImportUsers, honouring flow control (waits for 'drain'), and resolves with the answer. */
async function importUsers(address: string, token: string, items: Iterable<ImportItem>, deadlineMs?: number): Promise<userV1.ImportUsersResponse> {
  const Ctor = makeGenericClientConstructor(grpcServiceDefinition(SERVICES.user), 'UserService');
  const client = new Ctor(address, credentials.createInsecure());
  try {
    let stream!: ClientWritableStream<ImportItem>;
    let settled = false;
    const answer = new Promise<userV1.ImportUsersResponse>((resolve, reject) => {
      type Method = (metadata: Metadata, options: CallOptions, cb: (e: ServiceError | null, r?: userV1.ImportUsersResponse) => void) => ClientWritableStream<ImportItem>;
      const method = (client as unknown as Record<string, Method>).ImportUsers!;
      const options: CallOptions = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      stream = method.call(client, metadata, options, (error, response) => {
        settled = true;
        if (error) reject(error);
        else resolve(response!);
      });
    });
    for (const item of items) {
      if (!stream.write(item)) await Promise.race([once(stream, 'drain'), answer.catch(() => undefined)]);
      if (settled) break;
    }
    stream.end();
    return await answer;
  } finally {
    client.close();
  }
}

describe('ImportUsers (real process, real Postgres)', () => {
  let system: RunningSystem;
  let users: Upstream<typeof SERVICES.user>;
  let adminToken: string;

  beforeAll(async () => {
    system = await launchSystem({ apps: [USER], databases: freshTestDatabases('import'), env: { LOG_LEVEL: 'warn' } });
    adminToken = await system.identity.token('admin');
    users = testClient(system.address(USER), SERVICES.user, adminToken);
  });
  afterAll(async () => {
    users?.close();
    await system?.stop();
  });

  it('imports 100,000 items mixed with invalid and duplicate ones, reporting each failure by index', async () => {
    const existing = ['taken-0@example.com', 'taken-1@example.com'];
    for (const email of existing) await users.createUser({ email, name: 'Taken', idempotencyKey: '' });

    const total = 100_000;
    const expected: { index: bigint; code: string; message: string }[] = [];
    const written = new Map<string, number>();
    const itemAt = (i: number): ImportItem => {
      if (i % 97 === 0) {
        expected.push({ index: BigInt(i), code: 'INVALID_ARGUMENT', message: 'email: must be a valid email address, e.g. ada@example.com' });
        return { user: { email: `not-an-email-${i}`, name: 'Invalid' } };
      }
      if (i % 89 === 0) {
        expected.push({ index: BigInt(i), code: 'INVALID_ARGUMENT', message: 'name: must not be blank' });
        return { user: { email: `blank-${i}@example.com`, name: '   ' } };
      }
      if (i % 101 === 0) {
        const email = existing[i % 2]!;
        expected.push({ index: BigInt(i), code: 'ALREADY_EXISTS', message: `a user with email ${email} already exists` });
        return { user: { email, name: 'Again' } };
      }
      if (i % 103 === 0 && written.size > 0) {
        // The email of an earlier item of this stream, in another letter case.
        const [email, earlier] = [...written].at(-1)!;
        expected.push({ index: BigInt(i), code: 'ALREADY_EXISTS', message: `a user with email ${email.toUpperCase()} already exists (item ${earlier} of this stream)` });
        return { user: { email: email.toUpperCase(), name: 'Repeat' } };
      }
      const email = `user-${i}@example.com`;
      written.set(email, i);
      return { user: { email, name: `User ${i}` } };
    };
    function* items() {
      for (let i = 0; i < total; i++) yield itemAt(i);
    }

    const answer = await importUsers(system.address(USER), adminToken, items());
    const [{ count }] = (await system.database(USER).query<{ count: string }>('SELECT count(*)::text AS count FROM users')) as [{ count: string }];
    console.log(`import: ${total} items, created ${answer.created}, failed ${answer.failed.length}, rows ${count}`);

    expect(answer.failed.map(({ index, code, message }) => ({ index, code, message }))).toEqual(expected);
    expect(answer.created).toBe(BigInt(written.size));
    expect(answer.unchanged).toBe(0n);
    expect(Number(count) - existing.length).toBe(Number(answer.created));
  }, 120_000);

  it('stops at the deadline leaving only whole batches committed', async () => {
    const [{ count: before }] = (await system.database(USER).query<{ count: string }>('SELECT count(*)::text AS count FROM users')) as [{ count: string }];
    function* many() {
      for (let i = 0; i < 1_000_000; i++) yield { user: { email: `deadline-${i}@example.com`, name: `D ${i}` } };
    }
    await expect(importUsers(system.address(USER), adminToken, many(), 2_000)).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    const [{ count }] = (await system.database(USER).query<{ count: string }>('SELECT count(*)::text AS count FROM users')) as [{ count: string }];
    const written = Number(count) - Number(before);
    console.log(`import cut by a 2 s deadline: ${written} users committed`);
    expect(written).toBeGreaterThan(0);
    // Batches of IMPORT_BATCH_SIZE (1000), every item valid: only whole batches.
    expect(written % 1_000).toBe(0);
  }, 60_000);
});

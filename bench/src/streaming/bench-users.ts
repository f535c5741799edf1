import { v7 as uuidv7 } from 'uuid';
import type { Database } from '@acme/testing';

let seeding = 0;

/** Creates `count` new users straight in user-service's database (as the other scenarios seed theirs) and returns their ids. */
export async function seedUsers(users: Database, count: number, tag: string): Promise<string[]> {
  const batch = ++seeding;
  const ids = Array.from({ length: count }, () => uuidv7());
  await users.query(`INSERT INTO users (id, email, name) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`, [
    ids,
    ids.map((_, i) => `bench-${tag}-${batch}-${i}@example.com`),
    ids.map((_, i) => `Bench ${tag} ${i}`),
  ]);
  await users.query('ANALYZE users');
  return ids;
}

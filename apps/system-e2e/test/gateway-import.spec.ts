import { once } from 'node:events';
import { request } from 'node:http';
import { SERVICES } from '@acme/contracts';
import type { Upstream } from '@acme/grpc-kit';
import { freshTestDatabases, launchSystem, type RunningSystem, testClient } from '@acme/testing';
import { MiB, rssBytes, samplePeakRss } from './support/process-memory';

const USER = 'user-service';
const GATEWAY = 'api-gateway';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/**
 * POSTs an NDJSON body written line by line as `lines` yields them, under
 * flow control (waits for 'drain' when the socket is full), so the body is
 * never whole in this process either. `lines` may await something between
 * lines (the test holds the body open that way).
 */
function postLines(url: string, token: string, lines: AsyncIterable<string> | Iterable<string>, contentType = 'application/x-ndjson'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${token}` } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    void (async () => {
      let answered = false;
      req.once('response', () => (answered = true));
      for await (const line of lines) {
        if (answered) break;
        if (!req.write(`${line}\n`)) await once(req, 'drain');
      }
      req.end();
    })().catch(reject);
  });
}

const countUsers = async (system: RunningSystem) =>
  Number(((await system.database(USER).query<{ n: string }>('SELECT count(*)::text AS n FROM users')) as [{ n: string }])[0].n);

// ImportUsers through the REST edge: an NDJSON body streamed through the
// gateway process to a user-service process, real Postgres.
describe('POST /users:import (NDJSON through the gateway, real processes)', () => {
  let system: RunningSystem;
  let gateway: string;
  let token: string;
  let users: Upstream<typeof SERVICES.user>;

  beforeAll(async () => {
    system = await launchSystem({
      apps: [USER, GATEWAY],
      databases: freshTestDatabases('ndjson'),
      env: { LOG_LEVEL: 'warn' },
      appEnv: { [GATEWAY]: { RATE_LIMIT_MAX: '0' } },
    });
    gateway = `http://${system.address(GATEWAY)}`;
    token = await system.identity.token('admin');
    users = testClient(system.address(USER), SERVICES.user, token);
  }, 60_000);
  afterAll(async () => {
    users?.close();
    await system?.stop();
  });

  it('reports every line it does not create by its index, its own refusals and the service’s alike; rows written == created', async () => {
    await users.createUser({ email: 'taken@example.com', name: 'Taken', idempotencyKey: '' });
    const before = await countUsers(system);
    const lines = [
      /* 0 */ JSON.stringify({ email: 'ann@example.com', name: 'Ann' }),
      /* 1 */ JSON.stringify({ email: 'not-an-email', name: 'Bad' }),
      /* 2 */ '{"email": "bob@example.com", "name": ',
      /* 3 */ '',
      /* 4 */ JSON.stringify({ email: 'ANN@example.com', name: 'Ann again' }),
      /* 5 */ JSON.stringify({ email: 'taken@example.com', name: 'Taken again' }),
      /* 6 */ JSON.stringify({ email: 'cy@example.com', name: 'Cy', nickname: 'C' }),
      /* 7 */ JSON.stringify({ email: 'dee@example.com', name: 'x'.repeat(17_000) }),
      /* 8 */ JSON.stringify({ email: 'eve@example.com' }),
      /* 9 */ `${JSON.stringify({ email: 'fay@example.com', name: 'Fay', idempotencyKey: 'fay-1' })}\r`,
      /* 10 */ '[1, 2]',
      /* 11 */ JSON.stringify({ email: 'gus@example.com', name: 'Gus' }),
    ];
    const answer = await postLines(`${gateway}/users:import`, token, lines);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      created: '3',
      unchanged: '0',
      failed: [
        { index: '1', code: 'INVALID_ARGUMENT', message: 'email: must be a valid email address, e.g. ada@example.com' },
        { index: '2', code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^line: is not JSON \(/) },
        { index: '4', code: 'ALREADY_EXISTS', message: 'a user with email ANN@example.com already exists (item 0 of this stream)' },
        { index: '5', code: 'ALREADY_EXISTS', message: 'a user with email taken@example.com already exists' },
        { index: '6', code: 'INVALID_ARGUMENT', message: 'nickname: is not a known field' },
        { index: '7', code: 'INVALID_ARGUMENT', message: 'line: is longer than 16384 bytes; send one CreateUserRequest per line' },
        { index: '8', code: 'INVALID_ARGUMENT', message: 'name: is required' },
        { index: '10', code: 'INVALID_ARGUMENT', message: 'line: must be a JSON object' },
      ],
    });
    expect((await countUsers(system)) - before).toBe(3);
  });

  it('streams a large body through without holding it: the first batch is committed while the body is still open, and the gateway’s memory stays flat', async () => {
    const total = 50_000;
    const before = await countUsers(system);
    const pid = system.process(GATEWAY).pid;
    const idle = rssBytes(pid);
    const peak = samplePeakRss(pid);
    let firstBatchSeen = false;
    async function* lines() {
      for (let i = 0; i < total; i++) {
        // A body the gateway held back whole could not have a batch committed before it ended: wait for one with the body open.
        if (i === 2_000) {
          for (let attempt = 0; (await countUsers(system)) < before + 1_000; attempt++) {
            if (attempt > 20_000) throw new Error('no batch was committed while the body was open: the gateway is holding the body');
            await new Promise((resolve) => setImmediate(resolve));
          }
          firstBatchSeen = true;
        }
        yield JSON.stringify({ email: `bulk-${i}@example.com`, name: `Bulk user number ${i} ${'·'.repeat(40)}` });
      }
    }
    const answer = await postLines(`${gateway}/users:import`, token, lines());
    const peakBytes = peak.stop();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ created: String(total), failed: [] });
    expect(firstBatchSeen).toBe(true);
    expect((await countUsers(system)) - before).toBe(total);
    const bodyBytes = total * (JSON.stringify({ email: 'bulk-00000@example.com', name: `Bulk user number 00000 ${'·'.repeat(40)}` }).length + 41);
    console.log(
      `NDJSON import: ${total} lines (~${(bodyBytes / MiB).toFixed(1)} MiB), gateway RSS ${(idle / MiB).toFixed(1)} MiB before, ` +
        `peak ${(peakBytes / MiB).toFixed(1)} MiB during (+${((peakBytes - idle) / MiB).toFixed(1)} MiB)`,
    );
  }, 120_000);

  it('refuses another media type with 415 before reading the body, and a request without a token with 401', async () => {
    const json = await postLines(`${gateway}/users:import`, token, [JSON.stringify({ email: 'x@example.com', name: 'X' })], 'application/json');
    expect(json.status).toBe(415);
    expect(json.body).toMatchObject({ status: 415, detail: 'the body must be application/x-ndjson, not application/json' });
    // NDJSON is nowhere else a body.
    const elsewhere = await postLines(`${gateway}/users`, token, [JSON.stringify({ email: 'x@example.com', name: 'X' })]);
    expect(elsewhere.status).toBe(415);
    expect(elsewhere.body).toMatchObject({ detail: 'the body must be application/json, not application/x-ndjson' });
    const anonymous = await postLines(`${gateway}/users:import`, '', ['{}']);
    expect(anonymous.status).toBe(401);
  });

  it('documents both streaming routes in /openapi.json with their media types', async () => {
    const document = (await (await fetch(`${gateway}/openapi.json`)).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const importOp = document.paths['/users:import']?.['post'] as { requestBody: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, unknown> }> };
    expect(Object.keys(importOp.requestBody.content)).toEqual(['application/x-ndjson']);
    expect(Object.keys(importOp.responses).sort()).toEqual(['200', '400', '401', '403', '415', '429', '503', '504']);
    const watchOp = document.paths['/users/{user_id}/orders:watch']?.['get'] as {
      parameters: { name: string; in: string }[];
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    expect(Object.keys(watchOp.responses['200']!.content!)).toEqual(['text/event-stream']);
    expect(watchOp.parameters.map((p) => `${p.in} ${p.name}`).sort()).toEqual(['header Last-Event-ID', 'path user_id', 'query resume_token']);
    expect(Object.keys(watchOp.responses).sort()).toEqual(['200', '400', '401', '403', '429', '503', '504']);
  });

  it('ends an import that outlives its deadline with 504, leaving only whole batches', async () => {
    await system.restart(GATEWAY, 0, { RATE_LIMIT_MAX: '0', USER_SERVICE_STREAM_DEADLINE_MS: '1000' });
    gateway = `http://${system.address(GATEWAY)}`;
    const before = await countUsers(system);
    let answered!: () => void;
    const held = new Promise<void>((resolve) => (answered = resolve));
    async function* slow() {
      for (let i = 0; i < 10; i++) yield JSON.stringify({ email: `late-${i}@example.com`, name: 'Late' });
      // The body stays open until the answer comes: the deadline ends the import, not the body.
      await held;
    }
    const answer = postLines(`${gateway}/users:import`, token, slow());
    const result = await answer.finally(answered);
    expect(result.status).toBe(504);
    expect(result.body).toMatchObject({ status: 504, detail: 'user-service (or a service it depends on) did not answer in time; retry later' });
    expect(result.headers['connection']).toBe('close');
    // Ten items, less than one batch: nothing committed.
    expect(await countUsers(system)).toBe(before);
  }, 30_000);
});

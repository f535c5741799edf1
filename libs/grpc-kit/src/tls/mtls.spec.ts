import { connect, type PeerCertificate } from 'node:tls';
import { once } from 'node:events';
import { credentials, type ChannelCredentials, Server, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { z } from 'zod';
import { ConfigError, loadConfig } from '@acme/config';
import { SERVICES } from '@acme/contracts';
import { createUpstreamClient } from '../client/upstream-client';
import { createDevCertificateAuthority, type DevCertificateAuthority, DevPki, type IssuedFiles as WorkloadFiles } from './dev-certificates';
import { HealthClient } from '../client/health-client';
import { statusName } from '../errors/grpc-status';
import { reportRefusedHandshakes } from '../server/refused-handshakes';
import { userServiceDefinition } from '../testing/test-server.test-helpers';
import { authorizePeers, peerPolicy } from './peer-policy';
import type { ServiceTls, TlsLogger } from './service-tls';
import { serviceTlsFromEnv, tlsEnv } from './tls-env';

// mTLS on real grpc-js servers and clients over loopback, with real
// certificates made by the development CA code the compose stack uses: who
// gets through the handshake, what the peer policy answers, and certificate
// renewals picked up by a running server and a running client.

const POLICY = peerPolicy(SERVICES.user, {
  getUser: ['order-service', 'api-gateway'],
  createUser: ['api-gateway'],
  deleteUser: ['api-gateway'],
  listUsers: ['api-gateway'],
  importUsers: ['api-gateway'],
});

const schema = z.object(tlsEnv());
const testClient = (address: string, service: typeof SERVICES.user, _token: undefined, channel: ChannelCredentials) =>
  createUpstreamClient({ target: address, service, deadlineMs: 5_000, retry: false, credentials: channel });
const tlsOf = (files: WorkloadFiles, logger?: TlsLogger): ServiceTls => serviceTlsFromEnv(loadConfig(schema, DevPki.env(files)), {}, logger) as ServiceTls;

/** What a call ended with: OK or the status name, and its message. */
async function outcome(call: Promise<unknown>): Promise<{ code: string; details: string }> {
  try {
    await call;
    return { code: 'OK', details: '' };
  } catch (error) {
    return { code: statusName((error as ServiceError).code), details: (error as ServiceError).details };
  }
}

/** Polls (bounded) until `read` yields `wanted`; what it last saw otherwise. */
async function eventually<T>(read: () => Promise<T>, wanted: T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (last !== wanted && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
  return last;
}

/** A user-service stand-in behind mTLS and the peer policy; records the client certificate serial of every GetUser. */
async function startServer(tls: ServiceTls, options: Record<string, number> = {}) {
  const clientSerials: string[] = [];
  const refused: string[] = [];
  const server = new Server({ interceptors: [authorizePeers(tls, [POLICY])], ...options });
  server.addService(userServiceDefinition(), {
    getUser: (call: ServerUnaryCall<{ id: string }, unknown>, callback: (error: null, value: unknown) => void) => {
      clientSerials.push(call.getAuthContext().sslPeerCertificate?.serialNumber ?? 'none');
      callback(null, { id: call.request.id, email: 'ada@example.com', name: 'Ada' });
    },
    deleteUser: (_call: unknown, callback: (error: null, value: unknown) => void) => callback(null, {}),
  });
  const health = new HealthImplementation({ '': 'SERVING' });
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', tls.serverCredentials(), (e, p) => (e ? reject(e) : resolve(p))));
  reportRefusedHandshakes(server, (line) => refused.push(line));
  return { server, port, address: `127.0.0.1:${port}`, clientSerials, refused, stop: () => server.forceShutdown() };
}

/** The serial of the certificate the server presents to a new connection (a raw TLS handshake, presenting `client`'s certificate). */
async function servedSerial(port: number, client: WorkloadFiles, pki: DevPki): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port, ALPNProtocols: ['h2'], ca: pki.ca.certificatePem, cert: client.issued.certificatePem, key: client.issued.privateKeyPem, rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  const serial = (socket.getPeerCertificate() as PeerCertificate).serialNumber;
  socket.destroy();
  return serial;
}

describe('mTLS between workloads', () => {
  let pki: DevPki;
  let otherCa: DevCertificateAuthority;
  let server: Awaited<ReturnType<typeof startServer>>;
  let serverFiles: WorkloadFiles;
  let order: WorkloadFiles;
  let gateway: WorkloadFiles;
  const clients: { close(): void }[] = [];
  const client = (channel: ChannelCredentials) => {
    const made = testClient(server.address, SERVICES.user, undefined, channel);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    pki = await DevPki.create();
    otherCa = await createDevCertificateAuthority({ commonName: 'someone else CA' });
    serverFiles = await pki.issue('user-service');
    order = await pki.issue('order-service');
    gateway = await pki.issue('api-gateway');
    server = await startServer(tlsOf(serverFiles));
  });
  afterAll(() => {
    for (const made of clients) made.close();
    server.stop();
    pki.remove();
  });

  describe('the handshake', () => {
    it('admits a workload certificate from the CA: an allowed peer gets its answer', async () => {
      expect(await outcome(client(tlsOf(order).channelCredentials()).getUser({ id: 'u1' }))).toEqual({ code: 'OK', details: '' });
      expect(server.clientSerials.at(-1)).toBe(order.issued.serialNumber);
    });

    it('refuses a client that presents no certificate: UNAVAILABLE, and the server says why', async () => {
      const result = await outcome(client(credentials.createSsl(Buffer.from(pki.ca.certificatePem))).getUser({ id: 'u1' }));
      expect(result.code).toBe('UNAVAILABLE');
      expect(server.refused.some((line) => /^refused a TLS handshake from 127\.0\.0\.1: .*certificate/i.test(line))).toBe(true);
    });

    it('refuses a certificate from another CA', async () => {
      const stranger = await pki.issue('api-gateway', {}, { signer: otherCa, name: 'stranger' });
      const channel = credentials.createSsl(Buffer.from(pki.ca.certificatePem), Buffer.from(stranger.issued.privateKeyPem), Buffer.from(stranger.issued.certificatePem));
      expect((await outcome(client(channel).getUser({ id: 'u1' }))).code).toBe('UNAVAILABLE');
      expect(server.refused).toContain('refused a TLS handshake from 127.0.0.1: client certificate refused (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    });

    it('refuses an expired certificate from the CA', async () => {
      const expired = await pki.issue('api-gateway', { notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }, { name: 'expired' });
      const channel = credentials.createSsl(Buffer.from(pki.ca.certificatePem), Buffer.from(expired.issued.privateKeyPem), Buffer.from(expired.issued.certificatePem));
      expect((await outcome(client(channel).getUser({ id: 'u1' }))).code).toBe('UNAVAILABLE');
      expect(server.refused).toContain('refused a TLS handshake from 127.0.0.1: client certificate refused (CERT_HAS_EXPIRED)');
    });

    it('refuses plaintext', async () => {
      expect((await outcome(client(credentials.createInsecure()).getUser({ id: 'u1' }))).code).toBe('UNAVAILABLE');
    });
  });

  describe('the peer policy', () => {
    it('answers PERMISSION_DENIED, naming the peer and the method, to a workload calling what it may not', async () => {
      expect(await outcome(client(tlsOf(order).channelCredentials()).deleteUser({ id: 'u1' }))).toEqual({
        code: 'PERMISSION_DENIED',
        details: 'peer spiffe://acme.internal/ns/acme/sa/order-service may not call /acme.user.v1.UserService/DeleteUser (allowed: spiffe://acme.internal/ns/acme/sa/api-gateway)',
      });
    });

    it('lets the allowed workload call it', async () => {
      expect((await outcome(client(tlsOf(gateway).channelCredentials()).deleteUser({ id: 'u1' }))).code).toBe('OK');
    });

    it('answers UNAUTHENTICATED to a certificate from the CA that names no workload, and PERMISSION_DENIED to another namespace', async () => {
      const anonymous = await pki.issue('api-gateway', { uris: null }, { name: 'anonymous' });
      const channel = credentials.createSsl(Buffer.from(pki.ca.certificatePem), Buffer.from(anonymous.issued.privateKeyPem), Buffer.from(anonymous.issued.certificatePem));
      expect(await outcome(client(channel).getUser({ id: 'u1' }))).toEqual({
        code: 'UNAUTHENTICATED',
        details: "/acme.user.v1.UserService/GetUser: the peer's certificate carries no URI SAN (no SPIFFE ID), so it has no identity here",
      });
      const elsewhere = await pki.issue('api-gateway', { namespace: 'other' }, { name: 'elsewhere' });
      expect((await outcome(client(tlsOf(elsewhere).channelCredentials()).getUser({ id: 'u1' }))).details).toBe(
        'peer spiffe://acme.internal/ns/other/sa/api-gateway may not call /acme.user.v1.UserService/GetUser (allowed: spiffe://acme.internal/ns/acme/sa/order-service, spiffe://acme.internal/ns/acme/sa/api-gateway)',
      );
      // grpc.health.v1 is open to every certificate the CA issued, named or not.
      const health = new HealthClient(server.address, {}, channel);
      clients.push(health);
      expect(await health.check('')).toBe('SERVING');
    });
  });

  describe('certificate renewal without a restart', () => {
    it('a running server serves its renewed certificate to new connections; open ones keep working', async () => {
      const gatewayClient = client(tlsOf(gateway).channelCredentials());
      expect((await outcome(gatewayClient.getUser({ id: 'before' }))).code).toBe('OK');
      const before = await servedSerial(server.port, gateway, pki);
      expect(before).toBe(serverFiles.issued.serialNumber);
      const renewed = await pki.renew(serverFiles, 'user-service');
      expect(await eventually(() => servedSerial(server.port, gateway, pki), renewed.serialNumber)).toBe(renewed.serialNumber);
      expect((await outcome(gatewayClient.getUser({ id: 'after' }))).code).toBe('OK');
    }, 20_000);

    it('a running client presents its renewed certificate on its next connection', async () => {
      const tls = tlsOf(order);
      // Connections age out quickly here, so the channel reconnects by itself (as GRPC_MAX_CONNECTION_AGE_MS makes it in production).
      const aging = await startServer(tlsOf(await pki.issue('user-service', {}, { name: 'aging-server' })), { 'grpc.max_connection_age_ms': 200, 'grpc.max_connection_age_grace_ms': 100 });
      try {
        const orderClient = testClient(aging.address, SERVICES.user, undefined, tls.channelCredentials());
        clients.push(orderClient);
        const seen = async () => {
          await orderClient.getUser({ id: 'u1' });
          return aging.clientSerials.at(-1);
        };
        expect(await seen()).toBe(order.issued.serialNumber);
        const renewed = await pki.renew(order, 'order-service');
        expect(await eventually(seen, renewed.serialNumber)).toBe(renewed.serialNumber);
      } finally {
        aging.stop();
      }
    }, 20_000);

    it('a renewal caught half-way (new certificate, old key) is refused and the last good certificate kept', async () => {
      const events: string[] = [];
      let refusedNow: () => void = () => undefined;
      const refusedOnce = new Promise<void>((resolve) => (refusedNow = resolve));
      const files = await pki.issue('user-service', {}, { name: 'half-way' });
      const logger: TlsLogger = {
        log: (message: string) => events.push(message),
        error: (message: string) => {
          events.push(message);
          refusedNow();
        },
      };
      const halfWay = await startServer(tlsOf(files, logger));
      try {
        const served = files.issued.serialNumber;
        await pki.replaceCertificateOnly(files, 'user-service');
        await refusedOnce;
        expect(events.at(-1)).toMatch(/^certificate files changed but cannot be used \(.*tls\.key is not the private key of the certificate\); keeping serial /);
        expect(await servedSerial(halfWay.port, gateway, pki)).toBe(served);
        const renewed = await pki.renew(files, 'user-service');
        expect(await eventually(() => servedSerial(halfWay.port, gateway, pki), renewed.serialNumber)).toBe(renewed.serialNumber);
        expect(events.at(-1)).toMatch(new RegExp(`^certificate renewed: serial ${served} -> ${renewed.serialNumber}`));
      } finally {
        halfWay.stop();
      }
    }, 20_000);

    it('moves every workload to a new CA: bundles with both CAs first, then certificates from the new one', async () => {
      const next = await createDevCertificateAuthority({ commonName: 'next CA' });
      const serverSide = await pki.issue('user-service', {}, { name: 'ca-move-server' });
      const clientSide = await pki.issue('api-gateway', {}, { name: 'ca-move-client' });
      const moving = await startServer(tlsOf(serverSide), { 'grpc.max_connection_age_ms': 200, 'grpc.max_connection_age_grace_ms': 100 });
      const gatewayTls = tlsOf(clientSide);
      try {
        const gatewayClient = testClient(moving.address, SERVICES.user, undefined, gatewayTls.channelCredentials());
        clients.push(gatewayClient);
        const call = () => outcome(gatewayClient.getUser({ id: 'u1' })).then((r) => r.code);
        // 1. Both trust both CAs (certificates unchanged).
        await pki.renew(serverSide, 'user-service', { authorities: [pki.ca, next] });
        await pki.renew(clientSide, 'api-gateway', { authorities: [pki.ca, next] });
        expect(await eventually(call, 'OK')).toBe('OK');
        // 2. The server moves to the new CA; the client's bundle already trusts it.
        const moved = await pki.renew(serverSide, 'user-service', { signer: next, authorities: [pki.ca, next] });
        expect(await eventually(() => servedSerial(moving.port, clientSide, pki), moved.serialNumber)).toBe(moved.serialNumber);
        // 3. The client moves too; the server's bundle trusts it.
        await pki.renew(clientSide, 'api-gateway', { signer: next, authorities: [pki.ca, next] });
        expect(await eventually(async () => (await call()) === 'OK' && moving.clientSerials.at(-1) === clientSide.issued.serialNumber, true)).toBe(true);
      } finally {
        moving.stop();
      }
    }, 30_000);
  });
});

describe('GRPC_TLS configuration, checked at boot', () => {
  let pki: DevPki;
  beforeAll(async () => {
    pki = await DevPki.create();
  });
  afterAll(() => pki.remove());

  const problemsOf = (env: Record<string, string>, rawEnv: Record<string, string> = {}): readonly string[] => {
    try {
      serviceTlsFromEnv(loadConfig(schema, env), rawEnv);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('is off by default, and off is refused in production', () => {
    expect(serviceTlsFromEnv(loadConfig(schema, {}), {})).toBeUndefined();
    expect(problemsOf({}, { NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^GRPC_TLS: off is refused in production/)]);
  });

  it('names every file variable that is missing or unreadable', () => {
    expect(problemsOf({ GRPC_TLS: 'on', GRPC_TLS_CERT_FILE: '/nonexistent/tls.crt' })).toEqual([
      'GRPC_TLS_CERT_FILE: cannot read /nonexistent/tls.crt (ENOENT)',
      'GRPC_TLS_KEY_FILE: required when GRPC_TLS=on (not set)',
      'GRPC_TLS_CA_FILE: required when GRPC_TLS=on (not set)',
    ]);
  });

  it('refuses files a handshake would fail with, naming the variable', async () => {
    const expired = await pki.issue('user-service', { notBefore: new Date(Date.now() - 2 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }, { name: 'expired' });
    expect(problemsOf(DevPki.env(expired))).toEqual([expect.stringMatching(/^GRPC_TLS_CERT_FILE: .*expired\/tls\.crt expired at /)]);
    const anonymous = await pki.issue('user-service', { uris: null }, { name: 'anonymous' });
    expect(problemsOf(DevPki.env(anonymous))).toEqual([expect.stringMatching(/^GRPC_TLS_CERT_FILE: .* carries no URI SAN \(no SPIFFE ID\): peers would not know who it is$/)]);
    const foreign = await pki.issue('user-service', {}, { name: 'foreign', signer: await createDevCertificateAuthority({ commonName: 'other CA' }) });
    expect(problemsOf(DevPki.env(foreign))).toEqual([expect.stringMatching(/^GRPC_TLS_CERT_FILE: .* was not issued by a CA of the trust bundle \(CN=test CA/)]);
    const good = await pki.issue('user-service', {}, { name: 'good' });
    const other = await pki.issue('user-service', {}, { name: 'other' });
    expect(problemsOf({ ...DevPki.env(good), GRPC_TLS_KEY_FILE: other.privateKeyFile })).toEqual([expect.stringMatching(/^GRPC_TLS_KEY_FILE: .*other\/tls\.key is not the private key of the certificate$/)]);
    expect(problemsOf({ ...DevPki.env(good), GRPC_TLS_TRUST_DOMAIN: 'elsewhere.internal' })).toEqual([expect.stringMatching(/carries no SPIFFE ID of trust domain elsewhere\.internal/)]);
    expect(serviceTlsFromEnv(loadConfig(schema, DevPki.env(good)), {})?.identity).toBe('spiffe://acme.internal/ns/acme/sa/user-service');
  });
});

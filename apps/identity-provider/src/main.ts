import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deploymentEnvironment, exitOnStartupError } from '@acme/config';
import { applyHeapPolicy, shutdownOnSignals } from '@acme/grpc-kit';
import { loadIdentityProviderConfig } from './config';
import { createProvider, DEMO_CLIENTS, readDemoClients } from './provider';

async function main(): Promise<void> {
  if (deploymentEnvironment(process.env) === 'production') {
    throw new Error('identity-provider is a development provider with demo clients; production takes an external issuer (AUTH_ISSUER)');
  }
  const config = loadIdentityProviderConfig();
  applyHeapPolicy(config.HEAP_GROWING_PERCENT);
  const clients = config.CLIENTS_FILE ? readDemoClients(config.CLIENTS_FILE) : DEMO_CLIENTS;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(config.HTTP_PORT, config.HTTP_HOST, resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = config.ISSUER ?? `http://${config.HTTP_HOST}:${port}`;
  const provider = await createProvider({ issuer, audience: config.AUDIENCE, accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, clients });
  server.on('request', provider.callback());
  shutdownOnSignals(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
    console,
  );
  console.warn(`identity-provider (development only): issuer ${issuer}, audience ${config.AUDIENCE}, clients ${clients.map((c) => c.client_id).join(', ')}`);
}

main().catch(exitOnStartupError('identity-provider'));

#!/usr/bin/env node
// Container health check through grpc.health.v1 (not a TCP port check):
//   node grpc-health-probe.js [host:port] [service] [deadline-ms]
// Exits 0 when the server answers SERVING, 1 otherwise, printing why.
// With GRPC_TLS=on in its environment (a service's container has the
// service's own) it presents the GRPC_TLS_* certificate, as every client does.
import { HealthClient } from '../client/health-client';
import { channelCredentialsFromEnv } from '../tls/tls-env';

const [address = '127.0.0.1:50051', service = '', deadline = '1000'] = process.argv.slice(2);
const client = new HealthClient(address, {}, channelCredentialsFromEnv(process.env));

client
  .check(service, Number(deadline))
  .then(
    (status) => {
      console.error(`${address} "${service}": ${status}`);
      process.exitCode = status === 'SERVING' ? 0 : 1;
    },
    (error: Error) => {
      console.error(`${address} "${service}": ${error.message}`);
      process.exitCode = 1;
    },
  )
  .finally(() => client.close());

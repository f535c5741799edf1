import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WireResult } from '../model';
import { GRPC_CALLS } from '../load/grpc-messages';
import { runH2load } from '../load/h2load';
import { getUserFrame, getUserTarget } from '../load/variant-load';
import { runWrk } from '../load/wrk';
import type { BenchDatabases } from '../system/databases';
import type { BenchSystem } from '../system/bench-system';
import { TcpProxy } from '@acme/testing';
import type { PreflightFacts } from './preflight';

const CALLS = 1_000;

/**
 * Bytes on the wire per GetUser, both ways, counted by a TCP relay between
 * the generator and the server over many calls on one connection (so
 * connection setup is amortised and HPACK works as it does in steady
 * state). Includes all framing and headers; TCP/IP headers are not counted.
 */
export async function measureWire(
  ports: BenchSystem['ports'],
  databases: BenchDatabases,
  facts: PreflightFacts,
  workDir: string,
): Promise<WireResult[]> {
  const userId = getUserTarget(databases);
  const results: WireResult[] = [];

  const grpcProxy = await TcpProxy.start({ host: '127.0.0.1', port: ports['user-service'] });
  try {
    const bodyFile = join(workDir, 'getuser.bin');
    await writeFile(bodyFile, getUserFrame(userId));
    const outcome = await runH2load({
      url: `http://127.0.0.1:${grpcProxy.port}${GRPC_CALLS.getUser.path}`,
      bodyFile,
      headers: { 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '10S' },
      concurrency: 1,
      requests: CALLS,
      logFile: join(workDir, 'wire-h2load.log'),
    });
    const calls = outcome.requests + outcome.errors;
    results.push({
      variant: 'getuser-grpc-product',
      protocol: 'gRPC (HTTP/2, protobuf)',
      requests: calls,
      requestBytes: grpcProxy.toServer / calls,
      responseBytes: grpcProxy.toClient / calls,
      requestPayloadBytes: facts.grpcGetUserRequestBytes,
      responsePayloadBytes: facts.grpcGetUserResponseBytes,
    });
  } finally {
    await grpcProxy.stop();
  }

  const restProxy = await TcpProxy.start({ host: '127.0.0.1', port: ports['api-gateway'] });
  try {
    const outcome = await runWrk({
      baseUrl: `http://127.0.0.1:${restProxy.port}`,
      request: { kind: 'get', path: `/users/${userId}` },
      concurrency: 1,
      durationS: 2,
      scriptFile: join(workDir, 'wire-wrk.lua'),
    });
    const calls = outcome.requests + outcome.errors;
    results.push({
      variant: 'getuser-http-gateway',
      protocol: 'REST (HTTP/1.1 keep-alive, JSON)',
      requests: calls,
      requestBytes: restProxy.toServer / calls,
      responseBytes: restProxy.toClient / calls,
      requestPayloadBytes: 0,
      responsePayloadBytes: facts.restGetUserResponseBytes,
    });
  } finally {
    await restProxy.stop();
  }
  return results;
}

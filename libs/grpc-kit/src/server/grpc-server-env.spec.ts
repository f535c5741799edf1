import { z } from 'zod';
import { grpcServerEnv, grpcServiceOptionsFromEnv } from './grpc-server-env';

describe('grpcServerEnv', () => {
  const schema = z.object(grpcServerEnv(50051));
  const options = (env: Record<string, string>) =>
    grpcServiceOptionsFromEnv(schema.parse(env), { services: [], maxReceiveMessageBytes: 1024 });

  it('limits concurrent streams per connection to 100 unless GRPC_MAX_CONCURRENT_STREAMS says otherwise', () => {
    expect(options({}).channel.maxConcurrentStreams).toBe(100);
    expect(options({ GRPC_MAX_CONCURRENT_STREAMS: '250' }).channel.maxConcurrentStreams).toBe(250);
    expect(schema.safeParse({ GRPC_MAX_CONCURRENT_STREAMS: '0' }).success).toBe(false);
  });

  it('passes the service\'s own message size limit through', () => {
    expect(options({}).maxReceiveMessageBytes).toBe(1024);
  });
});

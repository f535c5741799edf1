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

  it('caps heap growth between full GCs at 50 % unless HEAP_GROWING_PERCENT says otherwise (0: V8 decides)', () => {
    expect(options({}).heapGrowingPercent).toBe(50);
    expect(options({ HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(options({ HEAP_GROWING_PERCENT: '120' }).heapGrowingPercent).toBe(120);
    expect(schema.safeParse({ HEAP_GROWING_PERCENT: '-5' }).success).toBe(false);
    expect(schema.safeParse({ HEAP_GROWING_PERCENT: 'lots' }).success).toBe(false);
  });

  it('passes the service\'s own message size limit through', () => {
    expect(options({}).maxReceiveMessageBytes).toBe(1024);
  });
});

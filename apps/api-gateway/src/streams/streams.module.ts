import { Module } from '@nestjs/common';
import { NdjsonRelay } from './ndjson-relay';
import { SseRelay } from './sse-relay';

/** The streaming RPCs at the edge: server streams as Server-Sent Events, client streams from NDJSON bodies. */
@Module({
  providers: [SseRelay, NdjsonRelay],
  exports: [SseRelay, NdjsonRelay],
})
export class StreamsModule {}

import { dirname, join } from 'node:path';
import type { EventContract, orderEventsV1, PROTO_FILES as ProtoFiles, PROTO_LOADER_OPTIONS as LoaderOptions, toTimestamp as ToTimestamp } from '@acme/contracts';

// The baseline uses the same protos, loader options and event codecs as the
// services, taken from the built @acme/contracts. Not through its index: that
// also loads the NestJS decorators of the generated service interfaces
// (about 250 ms and 20 MB at start-up), and the baseline stands for "no
// framework", cold start and memory included.
const dist = join(dirname(require.resolve('@acme/contracts/package.json')), 'dist');
const load = <T>(file: string): T => require(join(dist, file)) as T;

export const { PROTO_LOADER_OPTIONS } = load<{ PROTO_LOADER_OPTIONS: typeof LoaderOptions }>('loader-options.js');
export const { PROTO_FILES, PROTO_ROOT } = load<{ PROTO_FILES: typeof ProtoFiles; PROTO_ROOT: string }>('proto-files.js');
export const orderCreatedEvent: EventContract<orderEventsV1.OrderCreated> = load<{
  EVENTS: { orderCreated: EventContract<orderEventsV1.OrderCreated> };
}>('event-contracts.js').EVENTS.orderCreated;
export const { toTimestamp } = load<{ toTimestamp: typeof ToTimestamp }>('timestamp.js');

import { credentials, makeGenericClientConstructor, Metadata, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { grpcServiceDefinition, orderV1, type RequestInitOf, SERVICES } from '@acme/contracts';

type WatchRequest = RequestInitOf<typeof SERVICES.order, 'watchOrders'>;

/**
 * A WatchOrders stream as a test sees it: every update received, in order,
 * and how the stream ended. `until` resolves when a condition on the updates
 * holds (re-checked on each update), or rejects when the stream ends first.
 */
export class OrderWatcher {
  readonly updates: orderV1.OrderUpdate[] = [];
  ended: ServiceError | 'ok' | undefined;
  private readonly stream: ClientReadableStream<orderV1.OrderUpdate>;
  private readonly checks = new Set<() => void>();
  readonly finished: Promise<ServiceError | 'ok'>;

  constructor(
    private readonly client: Client,
    request: WatchRequest,
    options: { paused?: boolean; token?: string } = {},
  ) {
    const method = (client as unknown as Record<string, (request: WatchRequest, metadata: Metadata) => ClientReadableStream<orderV1.OrderUpdate>>).WatchOrders!;
    const metadata = new Metadata();
    if (options.token) metadata.set('authorization', `Bearer ${options.token}`);
    this.stream = method.call(client, request, metadata);
    if (options.paused) this.stream.pause();
    this.stream.on('data', (update: orderV1.OrderUpdate) => {
      this.updates.push(update);
      for (const check of [...this.checks]) check();
    });
    this.finished = new Promise<ServiceError | 'ok'>((resolve) => {
      this.stream.on('error', (error: ServiceError) => resolve((this.ended ??= error)));
      this.stream.on('status', (status: { code: number }) => {
        if (status.code === 0) resolve((this.ended ??= 'ok'));
      });
    }).then((ended) => {
      for (const check of [...this.checks]) check();
      return ended;
    });
  }

  static open(address: string, request: WatchRequest, options?: { paused?: boolean; token?: string }): OrderWatcher {
    const Ctor = makeGenericClientConstructor(grpcServiceDefinition(SERVICES.order), 'OrderService');
    return new OrderWatcher(new Ctor(address, credentials.createInsecure()), request, options);
  }

  /** The last resume token received. */
  get lastToken(): string {
    return [...this.updates].reverse().find((u) => u.resumeToken !== '')?.resumeToken ?? '';
  }

  /** Updates about changes (not the snapshot). */
  get changes(): orderV1.OrderUpdate[] {
    return this.updates.filter((u) => u.kind === orderV1.OrderUpdate_Kind.CREATED || u.kind === orderV1.OrderUpdate_Kind.CANCELLED);
  }

  until(condition: (updates: readonly orderV1.OrderUpdate[]) => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition(this.updates)) {
          this.checks.delete(check);
          resolve();
        } else if (this.ended) {
          this.checks.delete(check);
          reject(new Error(`the stream ended (${this.ended === 'ok' ? 'OK' : this.ended.message}) before ${what}; got ${this.updates.length} updates`));
        }
      };
      this.checks.add(check);
      check();
    });
  }

  resume(): void {
    this.stream.resume();
  }

  cancel(): void {
    this.stream.cancel();
  }

  close(): void {
    this.stream.cancel();
    this.client.close();
  }
}

import type { Client } from '@grpc/grpc-js';

/** How many long-lived streams a client keeps open to one upstream, and how many share one connection. */
export interface StreamChannelLimits {
  /** Streams open at once through this client; past it, openStream() refuses (StreamCapacityReached). */
  readonly maxOpen: number;
  /**
   * Streams per channel, at most the upstream's GRPC_MAX_CONCURRENT_STREAMS:
   * a channel's streams may all land on one connection (one replica ready),
   * and the HTTP/2 stack queues streams past the server's limit instead of
   * failing them, so a fuller channel would hold watchers back silently.
   */
  readonly perConnection: number;
}

/** Every stream slot is taken: the caller answers "busy, retry later". */
export class StreamCapacityReached extends Error {
  constructor(
    readonly upstream: string,
    readonly maxOpen: number,
  ) {
    super(`${upstream} already has ${maxOpen} streams open through this client`);
    this.name = 'StreamCapacityReached';
  }
}

/**
 * Channels of their own for long-lived streams to one upstream, apart from
 * the channel of unary calls, so a thousand idle watchers neither queue
 * behind each other on one HTTP/2 connection nor hold the unary calls'
 * connection at its stream limit. ceil(maxOpen / perConnection) channels at
 * most, each opened when the ones before are full (a channel is connections,
 * one per replica, with keepalive pings), each given the next stream until
 * it holds perConnection.
 *
 * grpc-js shares a subchannel (a connection) between channels whose target
 * and options are the same; `newChannel` must set
 * `grpc.use_local_subchannel_pool` for the channels to really be apart.
 */
export class StreamChannels {
  private readonly channels: { readonly client: Client; open: number }[] = [];
  private open = 0;

  constructor(
    private readonly upstream: string,
    private readonly limits: StreamChannelLimits,
    private readonly newChannel: () => Client,
  ) {
    if (!(limits.perConnection >= 1 && limits.maxOpen >= 1)) throw new Error(`stream limits must be at least 1, got ${JSON.stringify(limits)}`);
  }

  /** A channel with room for one more stream; `release` gives the slot back (once, however often it is called). */
  acquire(): { readonly client: Client; release(): void } {
    if (this.open >= this.limits.maxOpen) throw new StreamCapacityReached(this.upstream, this.limits.maxOpen);
    let channel = this.channels.find((c) => c.open < this.limits.perConnection);
    if (!channel) this.channels.push((channel = { client: this.newChannel(), open: 0 }));
    const taken = channel;
    taken.open++;
    this.open++;
    let released = false;
    return {
      client: taken.client,
      release: () => {
        if (released) return;
        released = true;
        taken.open--;
        this.open--;
      },
    };
  }

  close(): void {
    for (const { client } of this.channels) client.close();
  }
}

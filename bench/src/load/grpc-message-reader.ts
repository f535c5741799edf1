/**
 * Splits a gRPC body that arrives in chunks of any size (HTTP/2 DATA frames
 * do not follow message boundaries) into its length-prefixed messages.
 * Uncompressed messages only: the bench's clients ask for no encoding.
 */
export class GrpcMessageReader {
  private rest: Buffer = Buffer.alloc(0);

  /** The messages `chunk` completes, in order; a partial one waits for the next chunk. */
  push(chunk: Buffer): Buffer[] {
    const data = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    const messages: Buffer[] = [];
    let offset = 0;
    while (data.length - offset >= 5) {
      if (data[offset] !== 0) throw new Error('compressed gRPC message: not expected here');
      const length = data.readUInt32BE(offset + 1);
      if (data.length - offset - 5 < length) break;
      messages.push(data.subarray(offset + 5, offset + 5 + length));
      offset += 5 + length;
    }
    // A copy, so a long-lived stream does not keep every chunk it was handed alive through a view.
    this.rest = offset === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(offset));
    return messages;
  }

  /** Bytes of an unfinished message held back (0 between messages). */
  get pendingBytes(): number {
    return this.rest.length;
  }
}

import { status } from '@grpc/grpc-js';
import { grpcStatusOf, statusName } from '@acme/grpc-kit';

/** Awaits a call that must fail with `code`, and returns the error's details for further checks. */
export async function expectStatus(call: Promise<unknown>, code: status, details?: RegExp | string): Promise<string> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    const actual = grpcStatusOf(error);
    const message = (error as { details?: string }).details ?? String(error);
    if (actual !== code) {
      throw new Error(`expected ${statusName(code)}, got ${actual === undefined ? 'a non-gRPC error' : statusName(actual)}: ${message}`);
    }
    if (details !== undefined) expect(message).toMatch(details);
    return message;
  }
  throw new Error(`expected ${statusName(code)}, but the call succeeded with ${JSON.stringify(outcome)}`);
}

export { status };

import type { RunningHttpGateway } from '../../src/http/bootstrap-http-gateway';
import { startGateway } from './gateway';
import { client, type Client } from './http';
import { ServiceStack } from '@acme/testing';

/** Both services (processes, fresh databases) and an in-process gateway in front of them. */
export interface Stack {
  readonly services: ServiceStack;
  readonly gateway: RunningHttpGateway;
  readonly api: Client;
  /** The admin token `api` sends, for requests written by hand. */
  readonly token: string;
}

/**
 * Starts a stack before the tests of the enclosing file and tears it down
 * after them (processes stopped, databases dropped). The returned object is
 * filled in by beforeAll, so read its fields inside tests only.
 */
export function useStack(prefix: string, gatewayEnv: Record<string, string> = {}): Stack {
  const stack = {} as { services: ServiceStack; gateway: RunningHttpGateway; api: Client; token: string };
  beforeAll(async () => {
    stack.services = await startDebugServices(prefix);
    stack.gateway = await startGateway({ ...stack.services.gatewayEnv, ...gatewayEnv });
    // As the development provider's admin, who may call every route for every user (auth.spec.ts covers the others).
    stack.token = await stack.services.identity.token('admin');
    stack.api = client(stack.gateway.url, stack.token);
  });
  afterAll(async () => {
    if (stack.services?.userService.running) stack.services.userService.child.kill('SIGCONT');
    await stack.gateway?.shutdown();
    await stack.services?.stop('SIGKILL');
  });
  return stack;
}

/**
 * Both services for gateway tests: at LOG_LEVEL=debug every failed call is
 * logged with its request id, which the request-id tests look for.
 */
export function startDebugServices(prefix: string): Promise<ServiceStack> {
  // order-service keeps its default 1 s budget for user-service, which the fault tests time.
  return ServiceStack.start({ prefix, userServiceDeadlineMs: 1_000, userEnv: { LOG_LEVEL: 'debug' }, orderEnv: { LOG_LEVEL: 'debug' } });
}

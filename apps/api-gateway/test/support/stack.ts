import type { RunningHttpGateway } from '../../src/http/bootstrap-http-gateway';
import { startGateway } from './gateway';
import { client, type Client } from './http';
import { startServices, type Services } from './services';

/** Both services (processes, fresh databases) and an in-process gateway in front of them. */
export interface Stack {
  readonly services: Services;
  readonly gateway: RunningHttpGateway;
  readonly api: Client;
}

/**
 * Starts a stack before the tests of the enclosing file and tears it down
 * after them (processes stopped, databases dropped). The returned object is
 * filled in by beforeAll, so read its fields inside tests only.
 */
export function useStack(prefix: string, gatewayEnv: Record<string, string> = {}): Stack {
  const stack = {} as { services: Services; gateway: RunningHttpGateway; api: Client };
  beforeAll(async () => {
    stack.services = await startServices(prefix);
    stack.gateway = await startGateway({ ...stack.services.gatewayEnv, ...gatewayEnv });
    stack.api = client(stack.gateway.url);
  });
  afterAll(async () => {
    if (stack.services?.userService.running) stack.services.userService.child.kill('SIGCONT');
    await stack.gateway?.shutdown();
    await stack.services?.stop();
  });
  return stack;
}

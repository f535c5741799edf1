import type { Tree } from '@nx/devkit';
import { appPorts } from './port-plan';

/** An upstream the new service calls (--calls), and how the sample RPC uses it. */
export interface UpstreamCall {
  /** The callee's app, e.g. user-service. */
  readonly app: string;
  /** Its key in SERVICES, e.g. user. */
  readonly service: string;
  /** Its gRPC port (its manifest's local port, its Service's port). */
  readonly port: number;
  /** The caller's variable for its target, e.g. USER_SERVICE_URL, and for its deadline. */
  readonly urlVar: string;
  readonly deadlineVar: string;
  /** The callee's peer policy, where the new caller is admitted to `rpc`. */
  readonly peerPolicy: string;
  readonly rpc: string;
}

/**
 * The services --calls knows how to use in the sample RPC: CreateWidget takes
 * a user_id and checks the user exists (GetUser, which user-service answers
 * only for users the caller may act for).
 */
const KNOWN: Record<string, Omit<UpstreamCall, 'port'>> = {
  'user-service': {
    app: 'user-service',
    service: 'user',
    urlVar: 'USER_SERVICE_URL',
    deadlineVar: 'USER_SERVICE_DEADLINE_MS',
    peerPolicy: 'apps/user-service/src/users/peer-policy.ts',
    rpc: 'getUser',
  },
};

export function upstreamCall(tree: Tree, app: string): UpstreamCall {
  const known = KNOWN[app];
  if (!known) throw new Error(`--calls ${app}: the generator knows how to call ${Object.keys(KNOWN).join(', ')}`);
  const port = appPorts(tree).get(app)?.port;
  if (port === undefined) throw new Error(`--calls ${app}: apps/${app}/project.json has no launch.local.port`);
  return { ...known, port };
}

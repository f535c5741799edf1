import { type Metadata, type ServerInterceptingCallInterface, type ServerInterceptor, status } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import { accessRulesOf, type Access } from '@acme/contracts';
import { currentCallContext } from '../context/call-context';
import { StatusError } from '../errors/status-errors';
import { type CallListener, intercepted, PassThroughCall } from '../server/pass-through-call';
import { refusalOf } from './access-check';
import type { Caller } from './caller';
import type { TokenVerifier } from './token-verifier';

/** gRPC metadata key (and HTTP header) carrying `Bearer <access token>`. */
export const AUTHORIZATION_KEY = 'authorization';

const verifiedCallers = new WeakMap<Metadata, Caller>();

/** The verified caller of the call whose metadata this is (set by authorizeCalls before the handler runs). */
export const callerOf = (metadata: Metadata | undefined): Caller | undefined => (metadata ? verifiedCallers.get(metadata) : undefined);

/** The token of an `authorization: Bearer <token>` value; undefined when there is none. */
export function bearerTokenOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(value);
  return match?.[1];
}

/**
 * A server interceptor that decides, before any handler runs, whether the
 * caller may call the method at all: a verified access token
 * (UNAUTHENTICATED otherwise) with the scopes and role the method's
 * acme.auth.v1.access option states (PERMISSION_DENIED otherwise). Methods
 * of other services (grpc.health.v1, reflection) pass: probes carry no user.
 * What needs the resource (ownership) is the service's to check, with
 * callerOf / the call context.
 */
export function authorizeCalls(verifier: TokenVerifier, services: readonly DescService[]): ServerInterceptor {
  const rules = new Map<string, Access>();
  for (const service of services) {
    for (const [name, rule] of accessRulesOf(service)) rules.set(`/${service.typeName}/${name}`, rule);
  }
  return (method, call) => {
    const rule = rules.get(method.path);
    return intercepted(rule ? new AuthorizedCall(call, verifier, rule, method.path) : call);
  };
}

/**
 * One call through the access check, the call and its own listener in one
 * object (PassThroughCall). The metadata waits for the check; what grpc-js
 * delivers meanwhile (the request, the half-close) waits with it, and after
 * a refusal nothing is forwarded: the handler never starts.
 */
class AuthorizedCall extends PassThroughCall implements CallListener {
  private listener: CallListener | undefined;
  private check: 'pending' | 'passed' | 'refused' = 'pending';
  private cancelled = false;
  private heldMessage: { readonly message: unknown } | undefined;
  private heldHalfClose = false;

  constructor(
    next: ServerInterceptingCallInterface,
    private readonly verifier: TokenVerifier,
    private readonly rule: Access,
    private readonly path: string,
  ) {
    super(next);
  }

  override start(listener: CallListener): void {
    this.listener = listener;
    this.next.start(this);
  }

  onReceiveMetadata(metadata: Metadata): void {
    void authorize(this.verifier, this.rule, this.path, metadata).then(
      (caller) => {
        this.check = 'passed';
        if (this.cancelled) return;
        verifiedCallers.set(metadata, caller);
        this.listener?.onReceiveMetadata(metadata);
        const held = this.heldMessage;
        this.heldMessage = undefined;
        if (held) this.listener?.onReceiveMessage(held.message);
        if (this.heldHalfClose) this.listener?.onReceiveHalfClose();
      },
      (error: unknown) => {
        this.check = 'refused';
        this.heldMessage = undefined;
        // A StatusError is the refusal the caller should read; anything else is a bug here, never a reason to let the call through.
        if (error instanceof StatusError) this.sendStatus({ code: error.code, details: error.message });
        else this.sendStatus({ code: status.INTERNAL, details: 'the access check failed unexpectedly' });
      },
    );
  }

  onReceiveMessage(message: unknown): void {
    if (this.check === 'passed') this.listener?.onReceiveMessage(message);
    else if (this.check === 'pending') this.heldMessage = { message };
  }

  onReceiveHalfClose(): void {
    if (this.check === 'passed') this.listener?.onReceiveHalfClose();
    else if (this.check === 'pending') this.heldHalfClose = true;
  }

  onCancel(): void {
    this.cancelled = true;
    this.listener?.onCancel();
  }
}

async function authorize(verifier: TokenVerifier, rule: Access, path: string, metadata: Metadata): Promise<Caller> {
  const header = metadata.get(AUTHORIZATION_KEY)[0];
  const token = bearerTokenOf(header);
  if (token === undefined) {
    throw new StatusError(status.UNAUTHENTICATED, header === undefined ? `${path} needs an access token: send "authorization: Bearer <token>"` : 'the authorization metadata is not "Bearer <token>"');
  }
  const caller = await verifier.verify(token);
  const refusal = refusalOf(rule, caller, path);
  if (refusal) throw new StatusError(status.PERMISSION_DENIED, refusal.message);
  return caller;
}

/** The verified caller of the call being handled; undefined when AUTH_MODE=off (nobody is checked, so nobody is known). */
export const currentCaller = (): Caller | undefined => currentCallContext()?.caller;

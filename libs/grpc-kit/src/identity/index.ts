// Who is calling: access tokens verified (token-verifier.ts), each method's
// proto-stated access rule enforced before its handler (call-authorization.ts),
// and the caller available to the service for ownership checks (caller.ts).
export * from './caller';
export * from './access-check';
export * from './token-verifier';
export * from './auth-env';
export * from './call-authorization';

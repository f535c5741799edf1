import type { OpenAPIObject } from '@nestjs/swagger';
import { discoveryUrlOf } from '@acme/grpc-kit';
import { BEARER_SCHEME, OIDC_SCHEME, withSecurity } from './openapi-security';

// The running gateway's document is checked in test/routes (docs-and-health);
// here, what it says in the case no route test starts a gateway for.
describe('withSecurity', () => {
  const document = (): OpenAPIObject => ({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/users': { get: { responses: {}, security: [{ [OIDC_SCHEME]: ['users:read'] }, { [BEARER_SCHEME]: [] }] } },
      '/healthz': { get: { responses: {} } },
    },
    components: {},
  });

  it('names the issuer in its schemes, keeps the requirements the routes state, and marks the rest open', () => {
    const secured = withSecurity(document(), 'https://login.example.com/realms/acme/');
    expect(secured.components?.securitySchemes?.[OIDC_SCHEME]).toMatchObject({
      type: 'openIdConnect',
      openIdConnectUrl: 'https://login.example.com/realms/acme/.well-known/openid-configuration',
    });
    expect([secured.paths['/users']?.get?.security, secured.paths['/healthz']?.get?.security]).toEqual([[{ [OIDC_SCHEME]: ['users:read'] }, { [BEARER_SCHEME]: [] }], []]);
  });

  it('with AUTH_MODE=off (no issuer) says every operation is open and names no scheme', () => {
    const open = withSecurity(document(), undefined);
    expect(open.components?.securitySchemes).toBeUndefined();
    expect([open.paths['/users']?.get?.security, open.paths['/healthz']?.get?.security]).toEqual([[], []]);
  });

  it('finds the discovery document under the issuer with or without its trailing slash', () => {
    expect([discoveryUrlOf('http://127.0.0.1:9400'), discoveryUrlOf('http://127.0.0.1:9400/')]).toEqual([
      'http://127.0.0.1:9400/.well-known/openid-configuration',
      'http://127.0.0.1:9400/.well-known/openid-configuration',
    ]);
  });
});

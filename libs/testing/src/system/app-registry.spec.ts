import { existsSync } from 'node:fs';
import { workspacePath } from '../workspace';
import { appScript, registeredApp, registeredApps } from './app-registry';
import { launchManifestSchema } from './app-manifest';

describe('the app registry (apps/*/project.json)', () => {
  it("takes each app's scripts from its own project.json targets", () => {
    expect(appScript('user-service', 'serve')).toBe(workspacePath('apps/user-service/dist/main.js'));
    expect(appScript('order-service', 'migrate')).toBe(workspacePath('apps/order-service/dist/migrate.js'));
    expect(existsSync(appScript('api-gateway', 'serve').replace('/dist/main.js', '/src/main.ts'))).toBe(true);
  });

  it('lists the apps that state how to launch them, and reads their manifests', () => {
    // At least the apps this repository ships (a fork adds its own with the service generator), never one without a manifest.
    expect(registeredApps()).toEqual(expect.arrayContaining(['api-gateway', 'identity-provider', 'order-service', 'user-service']));
    expect(registeredApps()).not.toContain('system-e2e');
    expect(registeredApp('order-service').launch).toMatchObject({
      protocol: 'grpc',
      ready: { grpcHealth: 'acme.order.v1.OrderService' },
      database: { name: 'acme_orders', migrations: 'migrate' },
      upstreams: { USER_SERVICE_URL: 'user-service' },
    });
    // Every migrations target a manifest names exists.
    for (const app of registeredApps()) {
      const migrations = registeredApp(app).launch.database?.migrations;
      if (migrations) expect(appScript(app, migrations)).toMatch(/\.js$/);
    }
  });

  it('names what is missing or wrong', () => {
    expect(() => appScript('api-gateway', 'migrate')).toThrow(/api-gateway's project.json has no "migrate" target/);
    expect(() => appScript('no-such-app', 'serve')).toThrow(/no app named no-such-app/);
    expect(() => registeredApp('system-e2e')).toThrow("system-e2e's project.json has no metadata.launch");
    const wrong = launchManifestSchema.safeParse({
      protocol: 'grpc',
      listen: { hostVar: 'GRPC_HOST', portVar: 'GRPC_PORT' },
      ready: { grpcHealth: 'acme.nope.v1.Nope' },
      local: { port: 1, portVar: 'X_PORT' },
    });
    expect(wrong.success).toBe(false);
  });
});

import { existsSync } from 'node:fs';
import { appScript } from './app-scripts';
import { workspacePath } from './workspace';

describe('appScript', () => {
  it("takes each app's scripts from its own project.json targets", () => {
    expect(appScript('user-service', 'serve')).toBe(workspacePath('apps/user-service/dist/main.js'));
    expect(appScript('order-service', 'migrate')).toBe(workspacePath('apps/order-service/dist/migrate.js'));
    expect(existsSync(appScript('api-gateway', 'serve').replace('/dist/main.js', '/src/main.ts'))).toBe(true);
  });

  it('names what is missing', () => {
    expect(() => appScript('api-gateway', 'migrate')).toThrow(/api-gateway's project.json has no "migrate" target/);
    expect(() => appScript('no-such-app', 'serve')).toThrow(/no app named no-such-app/);
  });
});

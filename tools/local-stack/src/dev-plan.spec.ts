import { planChanges, type ProjectGraphView } from './dev-plan';

// The shape of this workspace: the gateway and order-service call user-service
// through grpc-kit and contracts; persistence is used by the two services only.
const graph: ProjectGraphView = {
  nodes: Object.fromEntries(
    [
      ['user-service', 'apps/user-service'],
      ['order-service', 'apps/order-service'],
      ['api-gateway', 'apps/api-gateway'],
      ['system-e2e', 'apps/system-e2e'],
      ['contracts', 'libs/contracts'],
      ['grpc-kit', 'libs/grpc-kit'],
      ['persistence', 'libs/persistence'],
      ['config', 'libs/config'],
      ['workspace', '.'],
    ].map(([name, root]) => [name, { data: { root: root! } }]),
  ),
  dependencies: Object.fromEntries(
    Object.entries({
      'user-service': ['grpc-kit', 'contracts', 'persistence'],
      'order-service': ['grpc-kit', 'contracts', 'persistence'],
      'api-gateway': ['grpc-kit', 'contracts', 'implicit:user-service', 'implicit:order-service'],
      'system-e2e': ['implicit:user-service'],
      'grpc-kit': ['contracts', 'config'],
      persistence: ['config'],
    }).map(([source, targets]) => [
      source,
      targets.map((t) => (t.startsWith('implicit:') ? { target: t.slice('implicit:'.length), type: 'implicit' } : { target: t, type: 'static' })),
    ]),
  ),
};
const launched = ['user-service', 'order-service', 'api-gateway'];

describe('npm run dev: changed files -> services to rebuild and restart', () => {
  it('restarts only the app whose own source changed, not the apps that merely build after it (implicit dependencies)', () => {
    expect(planChanges(['apps/order-service/src/orders/order.service.ts'], graph, launched)).toEqual({
      regenerateContracts: false,
      services: ['order-service'],
      ignored: [],
    });
  });

  it('restarts every launched app that depends on a changed lib, directly or through another lib, in start order', () => {
    expect(planChanges(['libs/persistence/src/pool.ts'], graph, launched).services).toEqual(['user-service', 'order-service']);
    expect(planChanges(['libs/config/src/index.ts'], graph, launched).services).toEqual(launched);
    expect(planChanges(['apps/api-gateway/src/main.ts', 'apps/user-service/src/main.ts'], graph, launched).services).toEqual(['user-service', 'api-gateway']);
  });

  it('regenerates the contracts first on a proto change (the generated files then drive the restarts)', () => {
    expect(planChanges(['proto/acme/user/v1/user.proto'], graph, launched)).toEqual({ regenerateContracts: true, services: [], ignored: [] });
    expect(planChanges(['libs/contracts/src/gen/acme/user/v1/user_pb.ts'], graph, launched).services).toEqual(launched);
  });

  it('ignores tests, files of no project, and apps not launched', () => {
    expect(
      planChanges(['apps/user-service/src/users/users.service.spec.ts', 'apps/user-service/test/users.spec.ts', 'README.md', 'apps/system-e2e/src/x.ts'], graph, launched),
    ).toEqual({
      regenerateContracts: false,
      services: [],
      ignored: ['apps/user-service/src/users/users.service.spec.ts', 'apps/user-service/test/users.spec.ts', 'README.md'],
    });
  });
});

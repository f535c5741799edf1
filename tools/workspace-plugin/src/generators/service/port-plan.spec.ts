import { addProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { checkedPort, FIRST_GRPC_PORT, nextGrpcPort } from './port-plan';

const app = (tree: Tree, name: string, protocol: string, port: number) =>
  addProjectConfiguration(tree, name, { root: `apps/${name}`, metadata: { launch: { protocol, local: { port } } } as never });

describe('the port plan', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('starts the gRPC services at the first port', () => {
    expect(nextGrpcPort(tree)).toBe(FIRST_GRPC_PORT);
  });

  it('gives the port after the last gRPC service, skipping ports other apps hold', () => {
    app(tree, 'a-service', 'grpc', FIRST_GRPC_PORT);
    app(tree, 'b-service', 'grpc', FIRST_GRPC_PORT + 1);
    app(tree, 'edge', 'http', FIRST_GRPC_PORT + 2);
    app(tree, 'provider', 'http', 9400);
    expect(nextGrpcPort(tree)).toBe(FIRST_GRPC_PORT + 3);
  });

  it('takes a free --port and refuses one an app holds, naming it', () => {
    app(tree, 'provider', 'http', 9400);
    expect(checkedPort(tree, 9401)).toBe(9401);
    expect(() => checkedPort(tree, 9400)).toThrow('--port 9400: provider already listens there');
    expect(() => checkedPort(tree, 70000)).toThrow('not a TCP port');
  });
});

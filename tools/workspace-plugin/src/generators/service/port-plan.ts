import { getProjects, type Tree } from '@nx/devkit';

/** The port the first gRPC service took; the others follow it one by one. */
export const FIRST_GRPC_PORT = 50051;

interface LaunchLocal {
  readonly protocol?: string;
  readonly local?: { readonly port?: number };
}

/** The `npm start` port of every app, by app (from each launch manifest, `metadata.launch.local.port`). */
export function appPorts(tree: Tree): Map<string, { port: number; protocol: string }> {
  const ports = new Map<string, { port: number; protocol: string }>();
  for (const [name, project] of getProjects(tree)) {
    const launch = (project.metadata as { launch?: LaunchLocal } | undefined)?.launch;
    if (launch?.local?.port !== undefined) ports.set(name, { port: launch.local.port, protocol: launch.protocol ?? '' });
  }
  return ports;
}

/** The next port of the gRPC services' run (50051, 50052, ...) that no app uses. */
export function nextGrpcPort(tree: Tree): number {
  const ports = [...appPorts(tree).values()];
  const used = new Set(ports.map((p) => p.port));
  let port = Math.max(FIRST_GRPC_PORT - 1, ...ports.filter((p) => p.protocol === 'grpc').map((p) => p.port)) + 1;
  while (used.has(port)) port++;
  return port;
}

/** A port given with --port, refused when another app has it. */
export function checkedPort(tree: Tree, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port ${port}: not a TCP port`);
  const holder = [...appPorts(tree)].find(([, p]) => p.port === port);
  if (holder) throw new Error(`--port ${port}: ${holder[0]} already listens there under npm start`);
  return port;
}

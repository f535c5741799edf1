import { ConfigError } from '@acme/config';
import type { ReplicaOptions } from '@acme/testing';
import { DEFAULT_HOST } from './config';

/**
 * Where each app's processes listen. On the default host, replicas take a
 * port each (the first the app's fixed one) and callers get every address
 * (ipv4:a,b), round_robin spreading calls over them. On another host (0.0.0.0
 * in a container) there is one address per app, so one replica.
 */
export function placeReplicas(apps: readonly string[], counts: Readonly<Record<string, number>>, host: string): Record<string, ReplicaOptions> {
  if (host === DEFAULT_HOST) return Object.fromEntries(Object.entries(counts).map(([app, count]) => [app, { count }]));
  const replicated = Object.keys(counts).filter((app) => (counts[app] ?? 1) > 1);
  if (replicated.length > 0) throw new ConfigError([`--replicas (${replicated.join(', ')}) needs the default LOCAL_STACK_HOST (${DEFAULT_HOST}): on ${host} each app has one address`]);
  return Object.fromEntries(apps.map((app) => [app, { hosts: [host] }]));
}

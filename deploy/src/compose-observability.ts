import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { interpolate, networksOf, standsInFor, type ComposeFile, type ComposeService } from './compose-checks';
import { repoPath } from './repo';

// Checks of docker-compose.yml's observability: every service serves metrics
// on a port Prometheus scrapes and nobody else is given (not published, on a
// network only Prometheus shares), exports traces only to the collector and
// only when asked (with defaults: no exporter), and the profile's containers
// are confined like the apps. Compose networks cannot filter ports; these
// rules mirror the NetworkPolicies at the level Compose has: who shares a
// network with whom.

export const OBSERVABILITY_PROFILE = 'observability';
const COLLECTOR_IMAGE = /^otel\/opentelemetry-collector(-contrib)?:/;
const PROMETHEUS_IMAGE = /^prom\/prometheus:/;

const inProfile = (s: ComposeService): boolean => (s['profiles'] as string[] | undefined)?.includes(OBSERVABILITY_PROFILE) ?? false;

/** The repository file a service mounts at `target` (bind mounts of ./ paths). */
function mountedFile(s: ComposeService, target: string): string | undefined {
  for (const volume of s.volumes ?? []) {
    const [source, at] = typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
    if (at === target && source?.startsWith('./')) return source;
  }
  return undefined;
}

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets?: string[] }[];
  dns_sd_configs?: { names?: string[]; port?: number; type?: string }[];
}

/** "host:port" of every target a Prometheus configuration scrapes, by job. */
export function scrapeTargets(config: { scrape_configs?: ScrapeConfig[] }): Map<string, string[]> {
  const targets = new Map<string, string[]>();
  for (const job of config.scrape_configs ?? []) {
    const statics = (job.static_configs ?? []).flatMap((c) => c.targets ?? []);
    const discovered = (job.dns_sd_configs ?? []).flatMap((c) => (c.names ?? []).map((n) => `${n}:${c.port}`));
    targets.set(job.job_name, [...statics, ...discovered]);
  }
  return targets;
}

/** The host:port the collector's OTLP/HTTP receiver listens on, from its configuration file. */
export function collectorOtlpHttpPort(config: unknown): number | undefined {
  const endpoint = (config as { receivers?: { otlp?: { protocols?: { http?: { endpoint?: string } | null } } } }).receivers?.otlp?.protocols?.http;
  if (endpoint === undefined) return undefined;
  // The receiver's default when no endpoint is given.
  return Number(/:(\d+)$/.exec(endpoint?.endpoint ?? 'localhost:4318')?.[1]);
}

/** The collector's OTLP/HTTP address inside the stack: http://<service>:<receiver port>. */
export function collectorEndpoint(compose: ComposeFile): string | undefined {
  const [name, collector] = Object.entries(compose.services).find(([, s]) => COLLECTOR_IMAGE.test(s.image ?? '')) ?? [];
  if (!name || !collector) return undefined;
  const file = mountedFile(collector, configPathOf(collector) ?? '');
  if (!file) return undefined;
  const port = collectorOtlpHttpPort(parse(readFileSync(repoPath(file), 'utf8')));
  return port === undefined ? undefined : `http://${name}:${port}`;
}

const configPathOf = (s: ComposeService): string | undefined =>
  [s.command].flat().map((a) => /^--config=(.+)$/.exec(String(a ?? ''))?.[1]).find(Boolean);

/**
 * The rules. `tracesEnv`: the variables a user sets with the profile to send
 * traces to the collector (e.g. { TRACES_OTLP_ENDPOINT: 'http://otel-collector:4318' }).
 */
export function composeObservabilityPolicy(compose: ComposeFile, tracesEnv: Record<string, string>): string[] {
  const problems: string[] = [];
  const services = compose.services;
  const entries = Object.entries(services);
  const members = (network: string) => entries.filter(([, s]) => networksOf(s).includes(network)).map(([n]) => n);
  const metricsPortOf = (s: ComposeService) => {
    const port = s.environment?.['METRICS_PORT'];
    return port === undefined || port === null ? undefined : Number(interpolate(String(port)));
  };
  // The system's long-running containers; development stand-ins (the identity provider) are not what is observed.
  const served = entries.filter(([, s]) => s.build && s.restart !== 'no' && !standsInFor(s));

  for (const [name, s] of entries) {
    if (s.build && inProfile(s)) problems.push(`service ${name}: built from this repository but in profile ${OBSERVABILITY_PROFILE}; plain \`up\` must start the whole system`);
    if (inProfile(s)) {
      if (s.read_only !== true || !(s.cap_drop ?? []).includes('ALL') || !((s['security_opt'] as string[] | undefined) ?? []).includes('no-new-privileges:true')) {
        problems.push(`service ${name}: observability containers run read_only, with cap_drop [ALL] and no-new-privileges`);
      }
    }
  }

  // Metrics: every service serves them, Prometheus scrapes each on that port, nobody else gets to them.
  const [prometheusName, prometheus] = entries.find(([, s]) => PROMETHEUS_IMAGE.test(s.image ?? '')) ?? [];
  if (!prometheusName || !prometheus) return [...problems, `no Prometheus (prom/prometheus) service in profile ${OBSERVABILITY_PROFILE}`];
  if (!inProfile(prometheus)) problems.push(`service ${prometheusName}: not in profile ${OBSERVABILITY_PROFILE}`);
  const configFile = mountedFile(prometheus, '/etc/prometheus/prometheus.yml');
  const targets = configFile ? [...scrapeTargets(parse(readFileSync(repoPath(configFile), 'utf8'))).values()].flat() : [];
  if (!configFile) problems.push(`service ${prometheusName}: mounts no configuration from the repository at /etc/prometheus/prometheus.yml`);
  for (const [name, s] of served) {
    const port = metricsPortOf(s);
    if (!port) {
      problems.push(`service ${name}: serves no metrics (METRICS_PORT unset)`);
      continue;
    }
    if (!targets.includes(`${name}:${port}`)) problems.push(`service ${name}: Prometheus (${configFile}) does not scrape ${name}:${port}`);
    if (!networksOf(s).some((n) => networksOf(prometheus).includes(n))) problems.push(`service ${name}: shares no network with ${prometheusName}`);
    for (const published of s.ports ?? []) {
      const target = typeof published === 'string' ? Number(interpolate(published).split(':').at(-1)) : published.target;
      if (target === port) problems.push(`service ${name}: publishes its metrics port ${port}`);
    }
  }
  for (const network of networksOf(prometheus).filter((n) => compose.networks?.[n]?.internal === true)) {
    for (const other of members(network)) {
      if (other !== prometheusName && !metricsPortOf(services[other]!)) {
        problems.push(`service ${other} shares network ${network} with ${prometheusName} but serves no metrics`);
      }
    }
  }

  // Traces: to the collector only, and only when asked for.
  const endpoint = collectorEndpoint(compose);
  const collectorName = endpoint ? new URL(endpoint).hostname : undefined;
  const collector = collectorName ? services[collectorName] : undefined;
  if (!endpoint || !collectorName || !collector) return [...problems, `no OpenTelemetry Collector service with an OTLP/HTTP receiver configured from the repository`];
  if (!inProfile(collector)) problems.push(`service ${collectorName}: not in profile ${OBSERVABILITY_PROFILE}`);
  for (const [name, s] of served) {
    const raw = s.environment?.['OTEL_EXPORTER_OTLP_ENDPOINT'];
    const unset = interpolate(String(raw ?? ''));
    if (unset !== '') problems.push(`service ${name}: exports traces to ${unset} even without the profile (an exporter with nowhere to send logs errors)`);
    const asked = interpolate(String(raw ?? ''), tracesEnv);
    if (asked !== endpoint) problems.push(`service ${name}: with ${JSON.stringify(tracesEnv)} it exports traces to ${asked || 'nowhere'}, not the collector ${endpoint}`);
    if (!networksOf(s).some((n) => networksOf(collector).includes(n))) problems.push(`service ${name}: shares no network with ${collectorName}`);
  }
  const exporters = new Set(served.map(([n]) => n));
  for (const network of networksOf(collector).filter((n) => compose.networks?.[n]?.internal === true)) {
    for (const other of members(network)) {
      if (other !== collectorName && !exporters.has(other) && !inProfile(services[other]!)) {
        problems.push(`service ${other} shares network ${network} with ${collectorName} but exports no traces`);
      }
    }
  }
  if ((collector.ports ?? []).length > 0) problems.push(`service ${collectorName}: publishes ports; only the services reach it`);
  return problems;
}

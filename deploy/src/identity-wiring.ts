import { z } from 'zod';
import { ConfigError, deploymentEnvironment } from '@acme/config';
import { authEnv, tokenVerifierOptionsFromEnv, type TokenVerifierOptions } from '@acme/grpc-kit';
import type { IService } from 'kubernetes-models/v1/Service';
import type { K8sObject } from './kustomize';
import { permittedConnections } from './network-graph';
import { appContainers, containerEnv, selects, workloads, type Workload } from './workloads';

// Identity in a rendered overlay. Every app that verifies access tokens (the
// gRPC servers and the gateway, each on its own) gets a configuration its own
// schema and boot checks accept, with an issuer named (the apps' fallback is
// the development issuer on 127.0.0.1, nobody inside a pod); all of them
// trust the same issuer, audience and roles claim, since the gateway forwards
// the caller's token and every hop verifies it again; each can reach the
// issuer (its discovery document and keys): a Service of the overlay, whose
// development provider must then issue for that issuer and audience, or an
// https URL outside the cluster its NetworkPolicies let it reach. Beside
// production apps the issuer is https and the development provider does not run.

/** The apps that verify tokens, by their app.kubernetes.io/component. */
const VERIFIER_COMPONENTS = ['grpc-server', 'http-gateway'];
/** The image of apps/identity-provider, under any registry and tag. */
const DEVELOPMENT_PROVIDER_IMAGE = /(^|\/)identity-provider(:|@|$)/;
/** What every image of this repository sets before the pod's environment (the Dockerfile checks require it). */
const IMAGE_ENV: Readonly<Record<string, string>> = { NODE_ENV: 'production' };

interface Verifier {
  readonly workload: Workload;
  readonly options: TokenVerifierOptions;
  readonly production: boolean;
}

const isVerifier = (w: Workload): boolean => VERIFIER_COMPONENTS.includes(w.podLabels['app.kubernetes.io/component'] ?? '');
const runsDevelopmentProvider = (w: Workload): boolean => appContainers(w).some((c) => DEVELOPMENT_PROVIDER_IMAGE.test(c.image ?? ''));

export function identityPolicy(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const verifiers = workloads(objects)
    .filter(isVerifier)
    .flatMap((w) => {
      const verifier = verifierOf(objects, w);
      if (Array.isArray(verifier)) problems.push(...verifier);
      return Array.isArray(verifier) ? [] : [verifier];
    });
  const [first] = verifiers;
  if (!first) return problems;
  for (const v of verifiers.slice(1)) {
    for (const [field, variable] of [['issuer', 'AUTH_ISSUER'], ['audience', 'AUTH_AUDIENCE'], ['rolesClaim', 'AUTH_ROLES_CLAIM']] as const) {
      if (v.options[field] !== first.options[field]) {
        problems.push(`${v.workload.ref}: ${variable} ${v.options[field]}, but ${first.workload.ref} has ${first.options[field]} (every hop verifies the caller's one token)`);
      }
    }
  }
  const connections = new Set(permittedConnections(objects));
  for (const v of verifiers) problems.push(...reachability(objects, connections, v));
  problems.push(...developmentProviderPolicy(objects, first.options, verifiers.some((v) => v.production)));
  return problems;
}

/** The app's verifier options, read from its environment the way it reads them at boot; or what it would refuse. */
function verifierOf(objects: readonly K8sObject[], workload: Workload): Verifier | string[] {
  const env = startEnv(objects, workload);
  const parsed = z.object(authEnv()).safeParse(env);
  if (!parsed.success) return parsed.error.issues.map((i) => `${workload.ref}: ${i.path.join('.')}: ${i.message}`);
  let options: TokenVerifierOptions | undefined;
  try {
    options = tokenVerifierOptionsFromEnv(parsed.data, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${workload.ref}: ${p}`);
  }
  if (!options) return [`${workload.ref}: AUTH_MODE=off, every call would be trusted; the overlays run with tokens verified (jwt)`];
  if (env['AUTH_ISSUER'] === undefined) return [`${workload.ref}: AUTH_ISSUER unset; its fallback, the development issuer on 127.0.0.1, is no one inside a pod`];
  return { workload, options, production: deploymentEnvironment(env) === 'production' };
}

/** The issuer (and the JWKS URL, when set): https where it must be, and a path to it the NetworkPolicies permit. */
function reachability(objects: readonly K8sObject[], connections: ReadonlySet<string>, v: Verifier): string[] {
  const problems: string[] = [];
  const urls = [v.options.issuer, ...(v.options.jwksUrl ? [v.options.jwksUrl] : [])].map((u) => new URL(u));
  for (const url of urls) {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const service = serviceNamed(objects, url.hostname, v.workload.namespace);
    if (url.protocol !== 'https:' && (v.production || !service)) {
      problems.push(`${v.workload.ref}: ${url.href} is not https, ${v.production ? 'which production requires of the issuer' : 'outside the cluster'}`);
    }
    if (!service) {
      if (!connections.has(`${v.workload.name} -> external:${port}/TCP`)) {
        problems.push(`${v.workload.ref}: no NetworkPolicy lets it reach ${url.host} outside the cluster (egress to an ipBlock on ${port}/TCP)`);
      }
      continue;
    }
    const servicePort = service.spec?.ports?.find((p) => p.port === port);
    const targets = workloads(objects).filter((w) => w.namespace === (service.metadata.namespace ?? 'default') && selects({ matchLabels: service.spec?.selector ?? {} }, w.podLabels));
    if (!servicePort || targets.length === 0) {
      problems.push(`${v.workload.ref}: ${url.href} names Service/${service.metadata.name}, which serves no pods on port ${port}`);
      continue;
    }
    for (const target of targets) {
      const targetPort = servicePort.targetPort ?? servicePort.port;
      const containerPort = appContainers(target)
        .flatMap((c) => c.ports ?? [])
        .find((p) => (typeof targetPort === 'string' ? p.name === targetPort : p.containerPort === targetPort))?.containerPort;
      if (!connections.has(`${v.workload.name} -> ${target.name}:${containerPort}/TCP`)) {
        problems.push(`${v.workload.ref}: no NetworkPolicy lets it reach its issuer ${target.ref} on port ${containerPort ?? targetPort}`);
      }
    }
  }
  return problems;
}

/** The development provider issues for what the apps trust, can start, and never runs beside production apps. */
function developmentProviderPolicy(objects: readonly K8sObject[], trusted: TokenVerifierOptions, production: boolean): string[] {
  const problems: string[] = [];
  for (const provider of workloads(objects).filter(runsDevelopmentProvider)) {
    const env = startEnv(objects, provider);
    if (production) problems.push(`${provider.ref}: the development identity provider (demo clients, a key made at start) beside production apps; production takes an external issuer`);
    if (deploymentEnvironment(env) === 'production') problems.push(`${provider.ref}: DEPLOYMENT_ENVIRONMENT is not development, so the development identity provider refuses to start`);
    if (env['ISSUER'] !== trusted.issuer) problems.push(`${provider.ref}: ISSUER ${env['ISSUER'] ?? '(unset)'}, but the apps trust AUTH_ISSUER ${trusted.issuer}`);
    if (env['AUDIENCE'] !== trusted.audience) problems.push(`${provider.ref}: AUDIENCE ${env['AUDIENCE'] ?? '(unset)'}, but the apps verify AUTH_AUDIENCE ${trusted.audience}`);
  }
  return problems;
}

/** The environment the workload's (first) container starts with: the image's, then the overlay's. */
function startEnv(objects: readonly K8sObject[], w: Workload): Record<string, string> {
  const container = appContainers(w)[0];
  return { ...IMAGE_ENV, ...(container ? containerEnv(objects, w, container) : {}) };
}

/** The Service a host name means from `namespace`: name, name.namespace, name.namespace.svc[.cluster.local]. */
function serviceNamed(objects: readonly K8sObject[], host: string, namespace: string): (IService & K8sObject) | undefined {
  return (objects.filter((o) => o.kind === 'Service') as (IService & K8sObject)[]).find((s) => {
    const ns = s.metadata.namespace ?? 'default';
    const names = [`${s.metadata.name}.${ns}`, `${s.metadata.name}.${ns}.svc`, `${s.metadata.name}.${ns}.svc.cluster.local`];
    return (ns === namespace && host === s.metadata.name) || names.includes(host);
  });
}

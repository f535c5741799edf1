import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { K8sObject } from './kustomize';
import { budgetProblem, shutdownBudget } from './shutdown-budget';
import { allContainers, appContainers, containerEnv, declaresPort, selects, workloads, type Workload } from './workloads';

// Policy assertions over a rendered overlay. Each function returns the
// violations it finds as sentences naming the object; [] means compliant.

const PROBES = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;

/** Probes, resources and the restricted security context on every container. */
export function containerPolicy(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    if (w.pod.automountServiceAccountToken !== false) {
      problems.push(`${w.ref}: automountServiceAccountToken must be false (no pod here calls the Kubernetes API)`);
    }
    for (const c of allContainers(w)) problems.push(...containerBasics(w, c));
    for (const c of appContainers(w)) {
      for (const probe of PROBES) if (!c[probe]) problems.push(`${w.ref} container ${c.name}: no ${probe}`);
    }
  }
  return problems;
}

function containerBasics(w: Workload, c: IContainer): string[] {
  const at = `${w.ref} container ${c.name}`;
  const problems: string[] = [];
  for (const kind of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory']) {
      if (c.resources?.[kind]?.[resource] === undefined) problems.push(`${at}: no resources.${kind}.${resource}`);
    }
  }
  const pod = w.pod.securityContext ?? {};
  const sc = c.securityContext ?? {};
  if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${at}: runAsNonRoot is not true`);
  if ((sc.runAsUser ?? pod.runAsUser) === 0) problems.push(`${at}: runs as uid 0`);
  if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
  if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${at}: capabilities.drop does not include ALL`);
  if ((sc.capabilities?.add ?? []).length > 0) problems.push(`${at}: adds capabilities ${sc.capabilities?.add?.join(', ')}`);
  if ((sc.seccompProfile ?? pod.seccompProfile)?.type !== 'RuntimeDefault') problems.push(`${at}: seccompProfile is not RuntimeDefault`);
  if (!c.image || !/:[^/]+$/.test(c.image) || c.image.endsWith(':latest')) {
    problems.push(`${at}: image "${c.image}" has no pinned tag`);
  }
  return problems;
}

/**
 * Pods that keep data on a volume they own through fsGroup apply it only at
 * the first mount (fsGroupChangePolicy OnRootMismatch). Kubernetes otherwise
 * re-applies it at every mount, adding group read/write to every file, and
 * servers that insist on owner-only files (Postgres' data directory,
 * RabbitMQ's Erlang cookie) refuse to start after their first restart.
 */
export function volumeOwnershipPolicy(objects: readonly K8sObject[]): string[] {
  return workloads(objects)
    .filter((w) => ((w.object['spec'] as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates ?? []).length > 0)
    .filter((w) => w.pod.securityContext?.fsGroup !== undefined && w.pod.securityContext.fsGroupChangePolicy !== 'OnRootMismatch')
    .map((w) => `${w.ref}: fsGroup without fsGroupChangePolicy OnRootMismatch re-applies group permissions to its data at every mount`);
}

/** Every probe targets a port its container declares. */
export function probePortPolicy(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    for (const c of allContainers(w)) {
      for (const kind of PROBES) {
        const probe: IProbe | undefined = c[kind];
        if (!probe) continue;
        const port = probe.grpc?.port ?? probe.httpGet?.port ?? probe.tcpSocket?.port;
        if (probe.exec) continue; // runs inside the container; no port involved
        if (!declaresPort(c, port)) problems.push(`${w.ref} container ${c.name}: ${kind} targets port ${port}, which it does not declare`);
      }
    }
  }
  return problems;
}

/** Every Service selects existing pods, and every Service port reaches a declared container port. */
export function servicePolicy(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const all = workloads(objects);
  for (const object of objects.filter((o) => o.kind === 'Service')) {
    const service = object as unknown as IService & K8sObject;
    const at = `Service/${object.metadata.name}`;
    const selector = service.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) {
      problems.push(`${at}: has no selector`);
      continue;
    }
    const namespace = object.metadata.namespace ?? 'default';
    const targets = all.filter((w) => w.namespace === namespace && selects({ matchLabels: selector }, w.podLabels));
    if (targets.length === 0) {
      problems.push(`${at}: selector ${JSON.stringify(selector)} matches no pods`);
      continue;
    }
    for (const port of service.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      for (const w of targets) {
        if (!appContainers(w).some((c) => declaresPort(c, target))) {
          problems.push(`${at} port ${port.name ?? port.port}: targetPort ${target} is not declared by ${w.ref}`);
        }
      }
    }
  }
  return problems;
}

/** gRPC servers are reached through headless Services, so clients can balance over every replica. */
export function headlessGrpcPolicy(objects: readonly K8sObject[]): string[] {
  const services = objects.filter((o) => o.kind === 'Service') as unknown as (IService & K8sObject)[];
  return workloads(objects)
    .filter((w) => appContainers(w).some((c) => (c.ports ?? []).some((p) => p.name === 'grpc')))
    .filter(
      (w) =>
        !services.some(
          (s) =>
            s.spec?.clusterIP === 'None' &&
            (s.metadata.namespace ?? 'default') === w.namespace &&
            selects({ matchLabels: s.spec.selector ?? {} }, w.podLabels) &&
            Object.keys(s.spec.selector ?? {}).length > 0,
        ),
    )
    .map((w) => `${w.ref}: serves gRPC but no headless Service (clusterIP: None) selects it`);
}

/**
 * A Deployment that is one pod by design (its state is in that pod: Jaeger's
 * traces, Prometheus' series): replicas 1, replaced rather than rolled
 * (strategy Recreate, so two never run at once), and never autoscaled.
 */
const isSingleton = (w: Workload): boolean => (w.object['spec'] as { strategy?: { type?: string } }).strategy?.type === 'Recreate';

/**
 * One autoscaling/v2 HPA and one policy/v1 PodDisruptionBudget per Deployment;
 * a singleton (strategy Recreate) has replicas 1 and no HPA instead.
 */
export function autoscalingPolicy(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler') as (IHorizontalPodAutoscaler & K8sObject)[];
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget') as (IPodDisruptionBudget & K8sObject)[];
  for (const o of [...hpas, ...pdbs]) {
    const expected = o.kind === 'HorizontalPodAutoscaler' ? 'autoscaling/v2' : 'policy/v1';
    if (o.apiVersion !== expected) problems.push(`${o.kind}/${o.metadata.name}: apiVersion ${o.apiVersion}, expected ${expected}`);
  }
  const deployments = workloads(objects).filter((w) => w.object.kind === 'Deployment');
  for (const w of deployments) {
    const mine = hpas.filter(
      (h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === w.name && h.metadata.namespace === w.object.metadata.namespace,
    );
    if (isSingleton(w)) {
      const replicas = (w.object['spec'] as { replicas?: number }).replicas;
      if (replicas !== 1) problems.push(`${w.ref}: strategy Recreate (one pod by design) but replicas ${replicas ?? '(unset)'}, expected 1`);
      if (mine.length > 0) problems.push(`${w.ref}: strategy Recreate (one pod by design) but a HorizontalPodAutoscaler targets it`);
    } else if (mine.length !== 1) problems.push(`${w.ref}: ${mine.length} HorizontalPodAutoscalers target it, expected 1`);
    for (const h of mine) {
      const min = h.spec?.minReplicas ?? 1;
      if (min < 1 || min > (h.spec?.maxReplicas ?? 0)) problems.push(`HorizontalPodAutoscaler/${h.metadata.name}: minReplicas ${min} outside 1..maxReplicas`);
    }
    const budgets = pdbs.filter((p) => p.metadata.namespace === w.object.metadata.namespace && selects(p.spec?.selector, w.podLabels));
    if (budgets.length !== 1) problems.push(`${w.ref}: ${budgets.length} PodDisruptionBudgets select its pods, expected 1`);
  }
  for (const h of hpas) {
    const target = h.spec?.scaleTargetRef;
    if (!deployments.some((w) => target?.kind === 'Deployment' && w.name === target.name)) {
      problems.push(`HorizontalPodAutoscaler/${h.metadata.name}: targets ${target?.kind}/${target?.name}, which does not exist`);
    }
  }
  return problems;
}

/** Replicas spread over nodes (and preferably zones), by constraints that select the workload's own pods. */
export function topologyPolicy(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const constraints = w.pod.topologySpreadConstraints ?? [];
    const keys = constraints.map((c) => c.topologyKey);
    if (!keys.includes('kubernetes.io/hostname')) problems.push(`${w.ref}: no topology spread over kubernetes.io/hostname`);
    const duplicated = keys.filter((k, i) => keys.indexOf(k) !== i);
    if (duplicated.length > 0) problems.push(`${w.ref}: topology spread over ${duplicated.join(', ')} given more than once`);
    for (const c of constraints) {
      if (!selects(c.labelSelector, w.podLabels)) problems.push(`${w.ref}: topology spread over ${c.topologyKey} does not select its own pods`);
    }
  }
  return problems;
}

/**
 * terminationGracePeriodSeconds of every Deployment exceeds what its graceful
 * shutdown may take with the settings its containers get (ConfigMaps through
 * envFrom, literal env; a Secret-provided AMQP_URL counts as a broker).
 */
export function shutdownPolicy(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects).filter((x) => x.object.kind === 'Deployment')) {
    for (const c of appContainers(w)) {
      const env = containerEnv(objects, w, c);
      const publishesEvents = Boolean(env['AMQP_URL']);
      try {
        const problem = budgetProblem((w.pod.terminationGracePeriodSeconds ?? 30) * 1000, shutdownBudget(env, publishesEvents), 'terminationGracePeriodSeconds');
        if (problem) problems.push(`${w.ref} container ${c.name}: ${problem}`);
      } catch (error) {
        problems.push(`${w.ref} container ${c.name}: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|DATABASE_URL|AMQP_URL/i;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** What prod must add to the above: 2+ replicas, external databases, and not one secret value in the files. */
export function prodPolicy(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    if (o.kind === 'Secret') problems.push(`Secret/${o.metadata.name}: prod must not carry secrets; the operator creates them`);
    if (o.kind === 'ConfigMap') {
      for (const key of Object.keys((o['data'] as Record<string, string> | undefined) ?? {})) {
        if (SECRET_NAME.test(key)) problems.push(`ConfigMap/${o.metadata.name}: key ${key} looks like a secret; use a Secret`);
      }
    }
    for (const [path, value] of strings(o, '')) {
      if (URL_WITH_PASSWORD.test(value)) problems.push(`${o.kind}/${o.metadata.name}: ${path} holds a URL with a password`);
    }
  }
  for (const w of workloads(objects)) {
    if (w.object.kind === 'StatefulSet') problems.push(`${w.ref}: prod uses external databases, not in-cluster StatefulSets`);
    const replicas = (w.object['spec'] as { replicas?: number }).replicas;
    if (replicas !== undefined && replicas < 2) problems.push(`${w.ref}: replicas ${replicas} < 2`);
    for (const c of allContainers(w)) {
      for (const env of c.env ?? []) {
        if (env.value !== undefined && SECRET_NAME.test(env.name)) {
          problems.push(`${w.ref} container ${c.name}: ${env.name} is given inline; take it from a Secret`);
        }
      }
      if (!/^[a-z0-9.-]+\.[a-z]+(:\d+)?\//.test(c.image ?? '')) problems.push(`${w.ref} container ${c.name}: image "${c.image}" names no registry`);
    }
  }
  for (const h of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler') as (IHorizontalPodAutoscaler & K8sObject)[]) {
    if ((h.spec?.minReplicas ?? 1) < 2) problems.push(`HorizontalPodAutoscaler/${h.metadata.name}: minReplicas ${h.spec?.minReplicas ?? 1} < 2`);
  }
  return problems;
}

function* strings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${path}/${i}`);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* strings(v, `${path}/${k}`);
}

import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { K8sObject } from './kustomize';

/** Something that runs pods: what the checks look at through the pod template. */
export interface Workload {
  readonly object: K8sObject;
  /** "Deployment/user-service" */
  readonly ref: string;
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Record<string, string>;
  readonly pod: IPodSpec;
}

const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

export function workloads(objects: readonly K8sObject[]): Workload[] {
  return objects.flatMap((object) => {
    if (!POD_TEMPLATE_KINDS.has(object.kind)) return [];
    const template = (object['spec'] as { template?: IPodTemplateSpec } | undefined)?.template;
    if (!template?.spec) return [];
    return [
      {
        object,
        ref: `${object.kind}/${object.metadata.name}`,
        name: object.metadata.name,
        namespace: object.metadata.namespace ?? 'default',
        podLabels: template.metadata?.labels ?? {},
        pod: template.spec,
      },
    ];
  });
}

export const appContainers = (w: Workload): IContainer[] => w.pod.containers ?? [];
export const initContainers = (w: Workload): IContainer[] => w.pod.initContainers ?? [];
export const allContainers = (w: Workload): IContainer[] => [...initContainers(w), ...appContainers(w)];

/** A variable whose value the overlay does not hold (a Secret's key, the downward API): set, value unknown. */
export const FROM_ELSEWHERE = '(from elsewhere)';

/**
 * The environment a container starts with, as far as the overlay says: its
 * ConfigMaps through envFrom (later ones win), then its env entries, literal
 * or from a ConfigMap key of the overlay; other references are FROM_ELSEWHERE.
 */
export function containerEnv(objects: readonly K8sObject[], w: Workload, c: IContainer): Record<string, string> {
  const configMap = (name: string | undefined): Record<string, string> =>
    (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name && (o.metadata.namespace ?? 'default') === w.namespace)?.['data'] ?? {}) as Record<string, string>;
  const env: Record<string, string> = {};
  for (const source of c.envFrom ?? []) Object.assign(env, configMap(source.configMapRef?.name));
  for (const variable of c.env ?? []) {
    const key = variable.valueFrom?.configMapKeyRef;
    const value = variable.value ?? (key ? configMap(key.name)[key.key] : variable.valueFrom ? FROM_ELSEWHERE : '');
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label-selector semantics. An empty selector matches everything. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key];
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        return false;
    }
  });
  return byLabels && byExpressions;
}

/** Whether a port reference (number or name) names one of the container's declared ports. */
export function declaresPort(container: IContainer, port: number | string | undefined): boolean {
  if (port === undefined) return false;
  return (container.ports ?? []).some((p) => (typeof port === 'number' ? p.containerPort === port : p.name === port));
}

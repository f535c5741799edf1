import type { IContainer } from 'kubernetes-models/v1/Container';
import { standsInFor, type ComposeFile, type ComposeService } from './compose-checks';
import type { K8sObject } from './kustomize';
import { appContainers, initContainers, workloads } from './workloads';

// Every compose service has a memory and a CPU limit, equal to what the same
// container gets in Kubernetes (the dev overlay renders them all: the apps
// from k8s/base, the databases, the broker and the identity provider from
// the overlay; a development stand-in it does not run, such as certs, has no
// counterpart). The limits are written twice, once per deployment format;
// this check makes them one fact that cannot drift.

const MEBI = 1024 * 1024;

/** Compose's byte values: "256m", "1g", "512k", or a number of bytes. */
function composeBytes(value: unknown): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(String(value ?? '').trim());
  if (!match) return undefined;
  const unit = { '': 1, b: 1, k: 1024, m: MEBI, g: 1024 * MEBI }[match[2]!.toLowerCase() as '' | 'b' | 'k' | 'm' | 'g'];
  return Number(match[1]) * unit;
}

/** Kubernetes quantities as they appear in our manifests: "256Mi", "1Gi", "500m" CPU, "1". */
function k8sBytes(value: unknown): number | undefined {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(String(value ?? ''));
  if (!match) return undefined;
  return Number(match[1]) * { Ki: 1024, Mi: MEBI, Gi: 1024 * MEBI, '': 1 }[(match[2] ?? '') as 'Ki' | 'Mi' | 'Gi' | ''];
}

function k8sCpus(value: unknown): number | undefined {
  const text = String(value ?? '');
  if (/^\d+m$/.test(text)) return Number(text.slice(0, -1)) / 1000;
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

/**
 * The Kubernetes container a compose service stands for: the workload of the
 * same name; a one-shot migration is the init container of the workload whose
 * compose service runs the same image.
 */
function k8sContainerFor(name: string, service: ComposeService, compose: ComposeFile, objects: readonly K8sObject[]): IContainer | undefined {
  const all = workloads(objects);
  if (service.restart === 'no') {
    const owner = Object.entries(compose.services).find(([other, s]) => other !== name && s.image === service.image && s.restart !== 'no');
    const workload = all.find((w) => w.name === owner?.[0]);
    return workload && initContainers(workload).find((c) => c.command?.join(' ') === [service.command].flat().join(' '));
  }
  const workload = all.find((w) => w.name === name);
  return workload && appContainers(workload)[0];
}

export function composeResourcePolicy(compose: ComposeFile, devObjects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const at = `service ${name}`;
    const memory = composeBytes(service['mem_limit']);
    const cpus = service['cpus'] === undefined ? undefined : Number(service['cpus']);
    if (memory === undefined) problems.push(`${at}: no mem_limit`);
    if (cpus === undefined || Number.isNaN(cpus)) problems.push(`${at}: no cpus limit`);
    const container = k8sContainerFor(name, service, compose, devObjects);
    if (!container) {
      // A development stand-in the dev overlay does not run (certs: cert-manager issues there) has only limits of its own.
      if (!standsInFor(service)) problems.push(`${at}: no matching container in the Kubernetes manifests to take its limits from`);
      continue;
    }
    const limits = container.resources?.limits ?? {};
    const k8sMemory = k8sBytes(limits['memory']);
    const k8sCpu = k8sCpus(limits['cpu']);
    if (memory !== undefined && memory !== k8sMemory) {
      problems.push(`${at}: mem_limit ${String(service['mem_limit'])} differs from its Kubernetes limit ${String(limits['memory'])}`);
    }
    if (cpus !== undefined && cpus !== k8sCpu) problems.push(`${at}: cpus ${cpus} differs from its Kubernetes limit ${String(limits['cpu'])}`);
  }
  return problems;
}

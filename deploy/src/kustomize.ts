import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { repoPath } from './repo';

/** A rendered Kubernetes object: what every check reads first. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];

const KUBECTL = process.env['KUBECTL'] ?? 'kubectl';

/** `kubectl kustomize k8s/overlays/<overlay>`, parsed. Throws with kustomize's own message on failure. */
export function renderOverlay(overlay: Overlay): K8sObject[] {
  let output: string;
  try {
    output = execFileSync(KUBECTL, ['kustomize', repoPath('k8s', 'overlays', overlay)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(`${KUBECTL} not found: the deployment checks need kubectl >= 1.27 (kustomize v5) on PATH, or KUBECTL=/path/to/kubectl`);
    }
    throw new Error(`kubectl kustomize k8s/overlays/${overlay} failed:\n${e.stderr ?? e.message}`);
  }
  return parseYamlObjects(output, `k8s/overlays/${overlay}`);
}

export function parseYamlObjects(text: string, source: string): K8sObject[] {
  return parseAllDocuments(text)
    .filter((doc) => doc.contents !== null)
    .map((doc, index) => {
      const [error] = doc.errors;
      if (error) throw new Error(`${source} document ${index}: ${error.message}`);
      return doc.toJS() as K8sObject;
    });
}

/** "Kind/name", the way kubectl names an object. */
export const ref = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;

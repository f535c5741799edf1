import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { K8sObject } from './kustomize';

// Validation against the Kubernetes OpenAPI schema, through the validators
// kubernetes-models generates for every apiVersion/kind. Those validators, like
// the OpenAPI document, let unknown fields through (a misspelled
// `readinesProbe` would pass and be silently dropped by the API server's
// non-strict decoding). The strict check below finds them: it runs the same
// generated validator on a proxy of the object and records which fields it
// looked at. The generated code reads every property its schema declares and
// enumerates the keys of map-typed fields (labels, data, resources...), so any
// field it never touched is unknown to the schema.

const load = createRequire(__filename);

/**
 * Where the generated models of an API group live: Kubernetes' own in
 * kubernetes-models; cert-manager's (Issuer, Certificate: the mtls
 * component) in @kubernetes-models/cert-manager, generated from its CRDs.
 * A kind in neither has no schema, and fails the check.
 */
const MODEL_PACKAGES = [
  { owns: (group: string) => group.endsWith('cert-manager.io'), name: '@kubernetes-models/cert-manager' },
  { owns: () => true, name: 'kubernetes-models' },
] as const;

type GeneratedValidator = (data: unknown) => boolean;
interface ModelClass {
  new (data: unknown): { validate(): void };
}

interface Schema {
  model: ModelClass;
  validator: GeneratedValidator;
}

const schemas = new Map<string, Schema | null>();

/** The model class and the generated validator for apiVersion/kind, or null when kubernetes-models has none. */
function schemaFor(apiVersion: string, kind: string): Schema | null {
  const key = `${apiVersion}/${kind}`;
  if (!schemas.has(key)) schemas.set(key, findSchema(apiVersion, kind));
  return schemas.get(key) ?? null;
}

function findSchema(apiVersion: string, kind: string): Schema | null {
  if (!/^[a-z0-9.-]+(\/[a-z0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]+$/.test(kind)) return null;
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
  const modelPackage = MODEL_PACKAGES.find((candidate) => candidate.owns(group))?.name as string;
  let modelFile: string;
  try {
    modelFile = load.resolve(`${modelPackage}/${apiVersion}/${kind}`);
  } catch {
    return null;
  }
  const model = (load(modelFile) as Record<string, ModelClass>)[kind];
  // The model module names its generated schema module; the validator is its `validate` export.
  const schemaName = /_schemas\/(\w+)\.js/.exec(readFileSync(modelFile, 'utf8'))?.[1];
  if (!model || !schemaName) return null;
  const { validate } = load(join(dirname(load.resolve(`${modelPackage}/package.json`)), '_schemas', `${schemaName}.js`)) as { validate: GeneratedValidator };
  return { model, validator: validate };
}

/** Every problem with one object: no schema for its kind, schema violations, unknown fields. Empty when valid. */
export function validateAgainstSchema(object: K8sObject): string[] {
  const where = `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
  const schema = schemaFor(String(object.apiVersion), String(object.kind));
  if (!schema) return [`${where}: no Kubernetes schema for apiVersion "${object.apiVersion}" kind "${object.kind}"`];
  const problems: string[] = [];
  try {
    new schema.model(asApiServerReadsIt(object)).validate();
  } catch (error) {
    problems.push(`${where}: ${(error as Error).message}`);
  }
  for (const path of unknownFields(object, schema.validator)) problems.push(`${where}: unknown field ${path}`);
  return problems;
}

/**
 * kustomize wraps long base64 Secret values at 76 characters; the API server's
 * base64 decoder skips line breaks, the schema's "byte" format does not.
 */
function asApiServerReadsIt(object: K8sObject): K8sObject {
  const data = object['data'];
  if (object.kind !== 'Secret' || data === null || typeof data !== 'object') return object;
  const unwrapped = Object.fromEntries(
    Object.entries(data as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v]),
  );
  return { ...object, data: unwrapped };
}

/** JSON-pointer-like paths of the fields the schema does not declare. */
export function unknownFields(object: object, validator: GeneratedValidator): string[] {
  const read = new WeakMap<object, Set<string>>();
  const proxies = new WeakMap<object, object>();
  const track = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const cached = proxies.get(value);
    if (cached) return cached;
    const keys = new Set<string>();
    read.set(value, keys);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === 'string') keys.add(key);
        return track(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === 'string') keys.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        const all = Reflect.ownKeys(target);
        for (const key of all) if (typeof key === 'string') keys.add(key);
        return all;
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  validator(track(object));

  const unknown: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}/${i}`));
      return;
    }
    // Never reached by the validator: a free-form value (or inside one already reported).
    const seen = read.get(value);
    if (!seen) return;
    for (const [key, child] of Object.entries(value)) {
      if (!seen.has(key)) unknown.push(`${path}/${key}`);
      else walk(child, `${path}/${key}`);
    }
  };
  walk(object, '');
  return unknown;
}

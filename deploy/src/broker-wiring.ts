import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { BrokerUrl } from './broker-access';
import type { ComposeFile } from './compose-checks';
import type { K8sObject } from './kustomize';
import { loadDefinitionsPath, mergeDefinitions, parseDefinitions, type Definitions } from './rabbitmq-definitions';
import { repoPath } from './repo';
import { appContainers, workloads } from './workloads';

// What a deployment's broker really imports at start, followed through its
// wiring: the rabbitmq.conf mounted into /etc/rabbitmq/conf.d names a
// directory (load_definitions); every .json file mounted into that directory
// is imported. Also the AMQP_URL each service is given. The broker checks run
// on this, not on the files as they lie in the repository.

export interface BrokerWiring {
  /** The merged definitions the broker imports (empty when the wiring is broken). */
  readonly definitions: Definitions;
  /** The files it imports, as "<where they come from> -> <path in the container>". */
  readonly files: readonly string[];
  readonly urls: readonly BrokerUrl[];
  readonly problems: readonly string[];
}

const CONF_DIR = '/etc/rabbitmq/conf.d/';
const isBrokerImage = (image: string | undefined): boolean => /^(docker\.io\/)?(library\/)?rabbitmq:/.test(image ?? '');

/** ${VAR:-default} -> default, as the compose checks read the file. */
const withDefaults = (s: string): string => s.replace(/\$\{\w+(?::?-([^}]*))?\}/g, (_, d: string | undefined) => d ?? '');

export function composeBrokerWiring(compose: ComposeFile): BrokerWiring {
  const problems: string[] = [];
  const brokers = Object.entries(compose.services ?? {}).filter(([, s]) => isBrokerImage(s.image));
  const urls = Object.entries(compose.services ?? {}).flatMap(([name, s]) => {
    const url = s.environment?.['AMQP_URL'];
    return typeof url === 'string' && url !== '' ? [{ who: `service ${name}`, url: withDefaults(url) }] : [];
  });
  const [only] = brokers;
  if (!only || brokers.length !== 1) return { definitions: {}, files: [], urls, problems: [`${brokers.length} rabbitmq services, expected 1`] };
  const [name, broker] = only;
  const mounts = (broker.volumes ?? []).flatMap((v) => {
    const [source, target] = typeof v === 'string' ? v.split(':') : [v.source, v.target];
    return source && target && /^\.{1,2}\//.test(source) ? [{ source, target }] : [];
  });
  const read = (source: string): string | undefined => {
    const file = repoPath(source);
    if (existsSync(file)) return readFileSync(file, 'utf8');
    problems.push(`service ${name}: mounts ${source}, which does not exist`);
    return undefined;
  };
  const confs = mounts.filter((m) => m.target.startsWith(CONF_DIR) && m.target.endsWith('.conf'));
  const directory = confs.map((m) => read(m.source)).map((text) => (text ? loadDefinitionsPath(text) : undefined)).find(Boolean);
  if (!directory) {
    problems.push(`service ${name}: no rabbitmq.conf mounted into ${CONF_DIR} sets load_definitions`);
    return { definitions: {}, files: [], urls, problems };
  }
  const files = mounts.filter((m) => posix.dirname(m.target) === directory && m.target.endsWith('.json'));
  if (files.length === 0) problems.push(`service ${name}: nothing is mounted into ${directory}, the load_definitions directory`);
  const parsed = files.flatMap((m) => {
    const text = read(m.source);
    return text === undefined ? [] : [parseDefinitions(text, m.source)];
  });
  return { definitions: mergeDefinitions(parsed), files: files.map((m) => `${m.source} -> ${m.target}`), urls, problems };
}

export function k8sBrokerWiring(objects: readonly K8sObject[]): BrokerWiring {
  const problems: string[] = [];
  const data = (kind: 'ConfigMap' | 'Secret', name: string | undefined, key: string): string | undefined => {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) {
      problems.push(`${kind}/${name} does not exist`);
      return undefined;
    }
    const value = kind === 'Secret' ? secretValue(o, key) : (o['data'] as Record<string, string> | undefined)?.[key];
    if (value === undefined) problems.push(`${kind}/${name} has no key ${key}`);
    return value;
  };
  const urls = workloads(objects).flatMap((w) =>
    appContainers(w).flatMap((c) =>
      (c.env ?? [])
        .filter((e) => e.name === 'AMQP_URL')
        .flatMap((e) => {
          const ref = e.valueFrom?.secretKeyRef;
          const url = e.value ?? (ref ? data('Secret', ref.name, ref.key) : undefined);
          return url ? [{ who: `${w.ref} container ${c.name}`, url }] : [];
        }),
    ),
  );
  const brokers = workloads(objects).flatMap((w) => appContainers(w).filter((c) => isBrokerImage(c.image)).map((c) => ({ w, c })));
  const [only] = brokers;
  if (!only || brokers.length !== 1) return { definitions: {}, files: [], urls, problems: [...problems, `${brokers.length} rabbitmq containers, expected 1`] };
  const { w, c } = only;
  const at = `${w.ref} container ${c.name}`;
  const volume = (name: string): IVolume | undefined => (w.pod.volumes ?? []).find((v) => v.name === name);

  const conf = (c.volumeMounts ?? [])
    .filter((m) => m.mountPath.startsWith(CONF_DIR) && m.mountPath.endsWith('.conf') && m.subPath)
    .map((m) => filesOf(volume(m.name), data).find((f) => f.path === m.subPath)?.content())
    .find((text) => text !== undefined);
  const directory = conf === undefined ? undefined : loadDefinitionsPath(conf);
  if (!directory) return { definitions: {}, files: [], urls, problems: [...problems, `${at}: no rabbitmq.conf mounted into ${CONF_DIR} sets load_definitions`] };
  const mount = (c.volumeMounts ?? []).find((m) => m.mountPath === directory && !m.subPath);
  if (!mount) return { definitions: {}, files: [], urls, problems: [...problems, `${at}: nothing is mounted at ${directory}, the load_definitions directory`] };
  const files = filesOf(volume(mount.name), data).filter((f) => f.path.endsWith('.json'));
  if (files.length === 0) problems.push(`${at}: the volume at ${directory} holds no .json file`);
  const parsed = files.flatMap((f) => {
    const text = f.content();
    return text === undefined ? [] : [parseDefinitions(text, f.from)];
  });
  return { definitions: mergeDefinitions(parsed), files: files.map((f) => `${f.from} -> ${posix.join(directory, f.path)}`), urls, problems };
}

interface VolumeFile {
  readonly path: string;
  readonly from: string;
  content(): string | undefined;
}

type Lookup = (kind: 'ConfigMap' | 'Secret', name: string | undefined, key: string) => string | undefined;

/** The files a configMap, secret or projected volume presents, by their path inside it (only sources listed item by item). */
function filesOf(volume: IVolume | undefined, data: Lookup): VolumeFile[] {
  if (!volume) return [];
  const sources = [
    ...(volume.configMap ? [{ kind: 'ConfigMap' as const, name: volume.configMap.name, items: volume.configMap.items }] : []),
    ...(volume.secret ? [{ kind: 'Secret' as const, name: volume.secret.secretName, items: volume.secret.items }] : []),
    ...(volume.projected?.sources ?? []).flatMap((s) => [
      ...(s.configMap ? [{ kind: 'ConfigMap' as const, name: s.configMap.name, items: s.configMap.items }] : []),
      ...(s.secret ? [{ kind: 'Secret' as const, name: s.secret.name, items: s.secret.items }] : []),
    ]),
  ];
  return sources.flatMap(({ kind, name, items }) =>
    (items ?? []).map((item) => ({ path: item.path, from: `${kind}/${name} key ${item.key}`, content: () => data(kind, name, item.key) })),
  );
}

function secretValue(secret: K8sObject, key: string): string | undefined {
  const plain = (secret['stringData'] as Record<string, string> | undefined)?.[key];
  if (plain !== undefined) return plain;
  const encoded = (secret['data'] as Record<string, string> | undefined)?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded.replace(/\s/g, ''), 'base64').toString('utf8');
}

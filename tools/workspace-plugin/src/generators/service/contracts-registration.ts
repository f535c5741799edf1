import type { Tree } from '@nx/devkit';
import { editSource, insertAfterLastLine, replaceOnce } from './source-edits';
import { EVENT_CONTRACTS } from './event-catalog';
import type { ServiceNames } from './service-names';

const CONTRACTS = 'libs/contracts/src';
/** Where @acme/contracts lists the system's gRPC services (SERVICES). */
export const SERVICE_CONTRACTS = `${CONTRACTS}/service-contracts.ts`;

/**
 * Makes the new proto package part of @acme/contracts' hand-written surface
 * (the generated code under gen/ is never edited): exported as
 * `<name>V1`, its descriptor in the registry (request decoding, reflection),
 * its service in SERVICES (launch manifests name it for readiness).
 */
export function registerContracts(tree: Tree, n: ServiceNames): void {
  editSource(tree, `${CONTRACTS}/index.ts`, (text) =>
    insertAfterLastLine(`${CONTRACTS}/index.ts`, text, /^export \* as \w+ from '\.\/gen\/acme\/.+';$/, `export * as ${n.contractsAlias} from '${n.generatedModule}';`),
  );
  editSource(tree, `${CONTRACTS}/registry.ts`, (text) => {
    const path = `${CONTRACTS}/registry.ts`;
    const imported = insertAfterLastLine(path, text, /^import \{ file_acme_\w+ \} from '\.\/gen\/acme\/.+';$/, `import { ${n.fileDescriptor} } from '${n.generatedModule}';`);
    // Before grpc.health.v1, which stays last.
    return replaceOnce(path, imported, /(const FILES: readonly DescFile\[\] = \[[^\]]*?)(file_health_v1_health\])/, `$1${n.fileDescriptor}, $2`);
  });
  editSource(tree, SERVICE_CONTRACTS, (text) => {
    const imported = insertAfterLastLine(SERVICE_CONTRACTS, text, /^import \{ \w+ \} from '\.\/gen\/acme\/.+';$/, `import { ${n.grpcService} } from '${n.generatedModule}';`);
    return replaceOnce(SERVICE_CONTRACTS, imported, /(export const SERVICES = \{[^}]*?) \} as const;/, `$1, ${n.propertyName}: ${n.grpcService} } as const;`);
  });
}

/**
 * With --events: the service's events package (acme.<name>.v1's events.proto)
 * in @acme/contracts too, exported as `<name>EventsV1`, its descriptor in the
 * registry, and WidgetCreated in EVENTS (under a name of its own, as every
 * generated service has a Widget), which the publisher and any consumer take
 * its type and routing key from.
 */
export function registerEventContracts(tree: Tree, n: ServiceNames): void {
  const module = n.generatedModule.replace(/_pb$/, '').replace(/[^/]+$/, 'events_pb');
  const descriptor = `file_acme_${n.snake}_v1_events`;
  editSource(tree, `${CONTRACTS}/index.ts`, (text) =>
    insertAfterLastLine(`${CONTRACTS}/index.ts`, text, /^export \* as \w+ from '\.\/gen\/acme\/.+';$/, `export * as ${n.propertyName}EventsV1 from '${module}';`),
  );
  editSource(tree, `${CONTRACTS}/registry.ts`, (text) => {
    const path = `${CONTRACTS}/registry.ts`;
    const imported = insertAfterLastLine(path, text, /^import \{ file_acme_\w+ \} from '\.\/gen\/acme\/.+';$/, `import { ${descriptor} } from '${module}';`);
    return replaceOnce(path, imported, /(const FILES: readonly DescFile\[\] = \[[^\]]*?)(file_health_v1_health\])/, `$1${descriptor}, $2`);
  });
  editSource(tree, EVENT_CONTRACTS, (text) => {
    const imported = insertAfterLastLine(EVENT_CONTRACTS, text, /^import \{ [^}]+ \} from '\.\/gen\/acme\/.+';$/, `import { WidgetCreatedSchema as ${n.className}WidgetCreatedSchema } from '${module}';`);
    return replaceOnce(
      EVENT_CONTRACTS,
      imported,
      /(export const EVENTS = \{\n(?:.*\n)*?)\} as const;/,
      `$1  ${widgetCreatedKey(n)}: contract(${n.className}WidgetCreatedSchema, '${n.snake}.v1.widget_created'),\n} as const;`,
    );
  });
}

/** WidgetCreated's key in EVENTS, e.g. inventoryWidgetCreated. */
export const widgetCreatedKey = (n: ServiceNames) => `${n.propertyName}WidgetCreated`;

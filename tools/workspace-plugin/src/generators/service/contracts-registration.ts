import type { Tree } from '@nx/devkit';
import { editSource, insertAfterLastLine, replaceOnce } from './source-edits';
import type { ServiceNames } from './service-names';

const CONTRACTS = 'libs/contracts/src';

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
  editSource(tree, `${CONTRACTS}/service-contracts.ts`, (text) => {
    const path = `${CONTRACTS}/service-contracts.ts`;
    const imported = insertAfterLastLine(path, text, /^import \{ \w+ \} from '\.\/gen\/acme\/.+';$/, `import { ${n.grpcService} } from '${n.generatedModule}';`);
    return replaceOnce(path, imported, /(export const SERVICES = \{[^}]*?) \} as const;/, `$1, ${n.propertyName}: ${n.grpcService} } as const;`);
  });
}

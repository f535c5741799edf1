import type { Tree } from '@nx/devkit';
import { editSource, insertAfterLastLine } from './source-edits';
import type { ServiceNames } from './service-names';

export const DEV_CLIENTS = 'apps/identity-provider/src/dev-clients.json';
export const ESLINT_CONFIG = 'eslint.config.mjs';

/** The scopes the new service's RPCs require (its proto's acme.auth.v1.access options). */
export const scopesOf = (n: ServiceNames) => ({ read: `${n.domain}:read`, write: `${n.domain}:write` });

/**
 * The development provider's demo principals get the new service's scopes
 * as they hold user-service's: read wherever they read users, write
 * wherever they write them (so `reader` stays read-only). Edited as text,
 * line by line, so the file keeps its layout.
 */
export function grantDemoScopes(tree: Tree, n: ServiceNames): void {
  const { read, write } = scopesOf(n);
  editSource(tree, DEV_CLIENTS, (text) => {
    let granted = 0;
    const edited = text.replace(/"scope": "([^"]*)"/g, (_line, scope: string) => {
      const held = scope.split(' ');
      const added = [...(held.includes('users:read') ? [read] : []), ...(held.includes('users:write') ? [write] : [])].filter((s) => !held.includes(s));
      granted += added.length;
      return `"scope": "${[...held, ...added].join(' ')}"`;
    });
    if (granted === 0) throw new Error(`${DEV_CLIENTS}: no demo client holds users:read or users:write, so none would get ${read}`);
    return edited;
  });
}

/** The new app's code stays in its own scope, as each service's does (@nx/enforce-module-boundaries). */
export function addScopeBoundary(tree: Tree, n: ServiceNames): void {
  editSource(tree, ESLINT_CONFIG, (text) =>
    insertAfterLastLine(
      ESLINT_CONFIG,
      text,
      /^ *\{ sourceTag: 'scope:[\w-]+', onlyDependOnLibsWithTags: \['scope:[\w-]+', 'scope:shared'\] \},$/,
      `      { sourceTag: 'scope:${n.domain}', onlyDependOnLibsWithTags: ['scope:${n.domain}', 'scope:shared'] },`,
    ),
  );
}

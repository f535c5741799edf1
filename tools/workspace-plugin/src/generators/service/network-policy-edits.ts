import type { Tree } from '@nx/devkit';
import { isMap, isSeq } from 'yaml';
import { editMatchingDocuments, parseSnippet } from './yaml-edits';

/**
 * Lets the pods of `app` in through the NetworkPolicy `policy` of the file
 * (one document among others, or the only one): a podSelector for it is
 * added to the `from` list of the policy's first ingress rule, beside the
 * callers it admits already.
 */
export function admitPods(tree: Tree, path: string, policy: string, app: string): void {
  const admitted = editMatchingDocuments(
    tree,
    path,
    (doc) => doc.get('kind') === 'NetworkPolicy' && doc.getIn(['metadata', 'name']) === policy,
    (doc) => {
      const rule = doc.getIn(['spec', 'ingress', 0], true);
      const from = isMap(rule) ? rule.get('from', true) : undefined;
      if (!isSeq(from)) throw new Error(`${path}: NetworkPolicy ${policy} has no first ingress rule with a from list, where the generator admits ${app}`);
      const added = parseSnippet(path, `- podSelector:\n    matchLabels:\n      app.kubernetes.io/name: ${app}\n`).contents;
      if (!isSeq(added)) throw new Error(`the generator's snippet for ${path} is not a sequence`);
      from.items.push(...added.items);
    },
  );
  if (admitted === 0) throw new Error(`${path}: no NetworkPolicy ${policy}, where the generator admits ${app}`);
}

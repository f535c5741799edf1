import type { Tree } from '@nx/devkit';
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument, visit, type Document, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

// Structural edits of the hand-written YAML (docker-compose.yml, the
// Kubernetes manifests): parsed into yaml's document model, changed there,
// printed back. Comments, blank lines, anchors and the order of keys stay as
// they were; what is added is parsed from YAML text of the same shape as its
// neighbours, comments included. An anchor the generator looks for and does
// not find is an error naming the file: the generator must not guess.

/** How this repository writes YAML: no folding, `[a, b]` without padding. */
const PRINT = { lineWidth: 0, flowCollectionPadding: false } as const;

/**
 * yaml prints the anchor of a mapping after the comment above its first key
 * (`x-app:\n  # ...\n  &app`), which is not YAML anyone writes; moving that
 * comment to the first key prints it as it was read.
 */
function keepAnchorsOnTheirLine(doc: Document): void {
  visit(doc, {
    Map(_, node) {
      const first = node.items[0];
      if (node.anchor && node.commentBefore && first && isScalar(first.key)) {
        first.key.commentBefore = node.commentBefore;
        node.commentBefore = undefined;
      }
    },
  });
}

/** Edits every document of a YAML file (multi-document files stay multi-document). */
export function editYaml(tree: Tree, path: string, edit: (docs: Document.Parsed[]) => Document[] | void): void {
  const text = tree.read(path, 'utf-8');
  if (text === null) throw new Error(`${path} is missing: the generator edits it`);
  const docs = parseAllDocuments(text, { merge: true });
  if (!Array.isArray(docs)) throw new Error(`${path}: not YAML the generator can read`);
  for (const [error] of docs.map((doc) => doc.errors)) if (error) throw new Error(`${path}: ${error.message}`);
  const edited = edit(docs) ?? docs;
  for (const doc of edited) keepAnchorsOnTheirLine(doc);
  // A document the generator adds starts without the `---` the parsed ones print.
  const printed = edited.map((doc, index) => {
    const text = doc.toString(PRINT);
    return index === 0 || text.startsWith('---') ? text : `---\n${text}`;
  });
  tree.write(path, printed.join(''));
}

/**
 * Edits the documents of a multi-document YAML file for which `match` holds,
 * and reprints only those: the others keep their text exactly (yaml would
 * print e.g. a StatefulSet's `defaultMode: 0440`, an octal number to
 * Kubernetes' YAML 1.1, as the decimal 440).
 */
export function editMatchingDocuments(tree: Tree, path: string, match: (doc: Document.Parsed) => boolean, edit: (doc: Document.Parsed) => void): number {
  const text = tree.read(path, 'utf-8');
  if (text === null) throw new Error(`${path} is missing: the generator edits it`);
  const docs = parseAllDocuments(text, { merge: true });
  if (!Array.isArray(docs)) throw new Error(`${path}: not YAML the generator can read`);
  let edited = 0;
  let result = '';
  let at = 0;
  docs.forEach((doc, index) => {
    const [error] = doc.errors;
    if (error) throw new Error(`${path}: ${error.message}`);
    // The first document's text starts at the file's start (its leading comment is part of it).
    const end = docs[index + 1]?.range[0] ?? text.length;
    if (match(doc)) {
      edit(doc);
      keepAnchorsOnTheirLine(doc);
      result += doc.toString(PRINT);
      edited++;
    } else result += text.slice(at, end);
    at = end;
  });
  tree.write(path, result);
  return edited;
}

/** Edits a single-document YAML file. */
export function editYamlDocument(tree: Tree, path: string, edit: (doc: Document.Parsed) => void): void {
  editYaml(tree, path, ([doc]) => {
    if (!doc) throw new Error(`${path}: empty, where the generator edits it`);
    edit(doc);
  });
}

/** A YAML snippet as a document; aliases to anchors of the file it goes into are allowed. */
export function parseSnippet(path: string, text: string): Document.Parsed {
  const doc = parseDocument(text, { merge: true });
  const [error] = doc.errors;
  if (error) throw new Error(`the generator's snippet for ${path}: ${error.message}`);
  return doc;
}

/** The mapping at `keys` of a document, or an error naming the file. */
export function mapAt(path: string, doc: Document, keys: readonly string[]): YAMLMap {
  const node = keys.length === 0 ? doc.contents : doc.getIn(keys, true);
  if (!isMap(node)) throw new Error(`${path}: no mapping at ${keys.join('.') || 'the top'}`);
  return node;
}

/** The sequence at `keys` of a document, or an error naming the file. */
export function seqAt(path: string, doc: Document, keys: readonly string[]): YAMLSeq {
  const node = doc.getIn(keys, true);
  if (!isSeq(node)) throw new Error(`${path}: no sequence at ${keys.join('.')}`);
  return node;
}

const keyOf = (pair: Pair): string => String(isScalar(pair.key) ? pair.key.value : pair.key);

/**
 * Inserts the pairs of the snippet's top mapping into `map`, after the last
 * pair whose key matches `after` (at the end when none does).
 */
export function insertPairs(path: string, map: YAMLMap, snippet: string, after: RegExp): void {
  const added = mapAt(path, parseSnippet(path, snippet), []).items;
  const taken = added.map(keyOf).filter((key) => map.has(key));
  if (taken.length > 0) throw new Error(`${path}: ${taken.join(', ')} exists already`);
  const last = map.items.map(keyOf).findLastIndex((key) => after.test(key));
  map.items.splice(last === -1 ? map.items.length : last + 1, 0, ...added);
}

/**
 * Inserts the items of the snippet's top sequence into `seq`, after the last
 * item for which `after` holds (at the end when none does).
 */
export function insertItems(path: string, seq: YAMLSeq, snippet: string, after: (item: unknown) => boolean): void {
  const added = parseSnippet(path, snippet).contents;
  if (!isSeq(added)) throw new Error(`the generator's snippet for ${path} is not a sequence`);
  const last = seq.items.map((item) => (isScalar(item) ? item.value : isMap(item) || isSeq(item) ? item.toJSON() : item)).findLastIndex(after);
  seq.items.splice(last === -1 ? seq.items.length : last + 1, 0, ...added.items);
}

/** The value of a plain scalar or an item's `name`, what a list entry is known by. */
export const nameOf = (item: unknown): string | undefined =>
  typeof item === 'string' ? item : typeof item === 'object' && item !== null && 'name' in item ? String((item as { name: unknown }).name) : undefined;

import type { Tree } from '@nx/devkit';

/**
 * Edits a hand-written file at a known anchor. A file that no longer has
 * its anchor is an error naming the file and what was looked for: the
 * generator is out of step with the workspace and must not guess.
 */
export function editSource(tree: Tree, path: string, edit: (text: string) => string): void {
  const before = tree.read(path, 'utf-8');
  if (before === null) throw new Error(`${path} is missing: the generator edits it`);
  tree.write(path, edit(before));
}

/** `text` with `line` inserted after the last line matching `pattern` (a whole-line pattern, flag m). */
export function insertAfterLastLine(path: string, text: string, pattern: RegExp, line: string): string {
  const matches = [...text.matchAll(new RegExp(pattern.source, 'gm'))];
  const last = matches[matches.length - 1];
  if (last?.index === undefined) throw new Error(`${path}: no line matches ${pattern} (where the generator adds ${JSON.stringify(line)})`);
  const end = last.index + last[0].length;
  return `${text.slice(0, end)}\n${line}${text.slice(end)}`;
}

/** `text` with the one match of `pattern` replaced. */
export function replaceOnce(path: string, text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`${path}: nothing matches ${pattern}, which the generator edits`);
  return text.replace(pattern, replacement);
}

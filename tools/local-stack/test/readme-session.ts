import { readFileSync } from 'node:fs';
import { workspacePath } from '@acme/testing';

/**
 * Every shell block under the README section `## heading`, in order, so tests
 * run the commands users copy, not a paraphrase of them.
 */
export function readmeShellBlocks(heading: string): string[] {
  const readme = readFileSync(workspacePath('README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith(heading)); // top-level sections only
  const blocks = [...(section ?? '').matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  if (blocks.length === 0) throw new Error(`README has no shell block under "${heading}"`);
  return blocks;
}

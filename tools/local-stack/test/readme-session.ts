import { readFileSync } from 'node:fs';
import { workspacePath } from '@acme/testing';

/**
 * The first shell block under the README section `## heading`, so tests run the
 * commands users copy, not a paraphrase of them.
 */
export function readmeShellBlock(heading: string): string {
  const readme = readFileSync(workspacePath('README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith(heading)); // top-level sections only
  const block = section?.match(/```(?:sh|bash)\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error(`README has no shell block under "${heading}"`);
  return block;
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { workspacePath } from '@acme/testing';
import { markdownTable, num } from '../report/markdown';
import { type CpuProfile, summarizeProfile } from './summarize';

/** Markdown summary (top self time by module and by function) of each .cpuprofile. */
export function renderProfileSummaries(paths: readonly string[], top = 15): string {
  const files = paths.flatMap((path) =>
    statSync(path).isDirectory() ? listProfiles(path) : [path],
  );
  return files
    .map((file) => {
      const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, workspacePath(), top);
      const rows = (items: typeof summary.modules) => items.map((item) => [item.name, num(item.us / 1000, 0), num(item.percent, 1)]);
      return [
        `#### ${file}`,
        `busy ${num(summary.busyUs / 1000)} ms, idle ${num(summary.idleUs / 1000)} ms; percentages are of busy time (self time)`,
        '',
        markdownTable(['module', 'self ms', '%'], rows(summary.modules), ['left', 'right', 'right']),
        '',
        markdownTable(['module on the stack (inclusive)', 'ms', '%'], rows(summary.modulesInclusive), ['left', 'right', 'right']),
        '',
        markdownTable(['function', 'self ms', '%'], rows(summary.functions), ['left', 'right', 'right']),
      ].join('\n');
    })
    .join('\n\n');
}

function listProfiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .map((name) => join(dir, name));
}

if (require.main === module) {
  const paths = process.argv.slice(2);
  if (paths.length === 0) {
    console.error('usage: node bench/dist/src/profile/summary-cli.js <file.cpuprofile | directory>...');
    process.exit(2);
  }
  console.log(renderProfileSummaries(paths));
}

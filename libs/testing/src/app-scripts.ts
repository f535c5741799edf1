import { readdirSync, readFileSync } from 'node:fs';
import { workspacePath } from './workspace';

/** The targets whose command runs an app's built script: the process itself, and its migrations. */
export type AppScriptTarget = 'serve' | 'migrate';

interface ProjectJson {
  readonly name?: string;
  readonly targets?: Record<string, { options?: { command?: string } }>;
}

const projects = new Map<string, ProjectJson>();

function project(app: string): ProjectJson {
  if (projects.size === 0) {
    for (const dir of readdirSync(workspacePath('apps'))) {
      try {
        const json = JSON.parse(readFileSync(workspacePath('apps', dir, 'project.json'), 'utf8')) as ProjectJson;
        if (json.name) projects.set(json.name, json);
      } catch {
        // not a project directory
      }
    }
  }
  const found = projects.get(app);
  if (!found) throw new Error(`no app named ${app} under apps/ (its project.json names it)`);
  return found;
}

/**
 * The absolute path of the script an app runs, as its own project.json
 * states it in the `serve` or `migrate` target (`node apps/x/dist/main.js`):
 * the apps say where they are, and everything that starts them (tests, the
 * bench, `npm start`) asks here instead of knowing their build layout.
 */
export function appScript(app: string, target: AppScriptTarget): string {
  const command = project(app).targets?.[target]?.options?.command;
  const script = /^node (\S+\.js)$/.exec(command ?? '')?.[1];
  if (!script) throw new Error(`${app}'s project.json has no "${target}" target of the form "node <script>.js" (found ${JSON.stringify(command)})`);
  return workspacePath(script);
}

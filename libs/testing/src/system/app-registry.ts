import { readdirSync, readFileSync } from 'node:fs';
import { workspacePath } from '../workspace';
import { launchManifestSchema, type RegisteredApp } from './app-manifest';

interface ProjectJson {
  readonly name?: string;
  readonly metadata?: { readonly description?: string; readonly launch?: unknown };
  readonly targets?: Record<string, { options?: { command?: string } }>;
}

let projects: Map<string, ProjectJson> | undefined;

/** Every project under apps/, by the name its project.json gives it. */
function appProjects(): Map<string, ProjectJson> {
  if (projects) return projects;
  projects = new Map();
  for (const dir of readdirSync(workspacePath('apps'))) {
    try {
      const json = JSON.parse(readFileSync(workspacePath('apps', dir, 'project.json'), 'utf8')) as ProjectJson;
      if (json.name) projects.set(json.name, json);
    } catch {
      // not a project directory
    }
  }
  return projects;
}

function project(app: string): ProjectJson {
  const found = appProjects().get(app);
  if (!found) throw new Error(`no app named ${app} under apps/ (its project.json names it)`);
  return found;
}

/** The apps that can be launched: those whose project.json has `metadata.launch`. */
export function registeredApps(): string[] {
  return [...appProjects()].filter(([, json]) => json.metadata?.launch !== undefined).map(([name]) => name);
}

const manifests = new Map<string, RegisteredApp>();

/** An app's launch manifest, checked (a mistake names the file and the field). */
export function registeredApp(app: string): RegisteredApp {
  const known = manifests.get(app);
  if (known) return known;
  const json = project(app);
  if (json.metadata?.launch === undefined) throw new Error(`${app}'s project.json has no metadata.launch: it cannot be launched`);
  const parsed = launchManifestSchema.safeParse(json.metadata.launch);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `metadata.launch.${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`${app}'s project.json: ${problems.join('; ')}`);
  }
  const registered = { name: app, description: json.metadata.description ?? '', launch: parsed.data };
  manifests.set(app, registered);
  return registered;
}

/**
 * The absolute path of the script an app runs, as its own project.json
 * states it in a target (`serve`: `node apps/x/dist/main.js`): the apps say
 * where they are, and launchers ask here instead of knowing their build layout.
 */
export function appScript(app: string, target: string): string {
  const command = project(app).targets?.[target]?.options?.command;
  const script = /^node (\S+\.js)$/.exec(command ?? '')?.[1];
  if (!script) throw new Error(`${app}'s project.json has no "${target}" target of the form "node <script>.js" (found ${JSON.stringify(command)})`);
  return workspacePath(script);
}

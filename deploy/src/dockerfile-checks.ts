import { DockerfileParser, type Instruction } from 'dockerfile-ast';

// Structural lint of the Dockerfile (hadolint is not available here): the
// rules this repository's images must keep. lintDockerfile returns the
// violations as sentences; [] means compliant.

interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

/** The instruction's flags (--from=..., --mount=...), which getArgumentsContent() leaves out. */
function flag(i: Instruction, name: string): string | undefined {
  const flags = (i as Instruction & { getFlags?: () => { getName(): string; getValue(): string | null }[] }).getFlags?.() ?? [];
  return flags.find((f) => f.getName() === name)?.getValue() ?? undefined;
}

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|DATABASE_URL/i;
const PINNED_BASE = /^node:\d+\.\d+\.\d+-bookworm-slim$/;

export function lintDockerfile(text: string, dockerignore: string): string[] {
  const dockerfile = DockerfileParser.parse(text);
  const problems: string[] = [];

  if (dockerfile.getDirectives().some((d) => d.getName().toLowerCase() === 'syntax')) {
    problems.push('has a "# syntax=" directive: it makes the build fetch a frontend image; use the builder\'s own');
  }

  const args = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property) args.set(property.getName(), property.getValue() ?? '');
  }
  const expand = (s: string): string => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => args.get(a ?? b) ?? '');

  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const words = (instruction.getArgumentsContent() ?? '').split(/\s+/).filter((w) => !w.startsWith('--'));
      stages.push({ name: words[2]?.toLowerCase() ?? null, image: expand(words[0] ?? ''), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  if (stages.length < 2) problems.push('is not multi-stage: build tools and dev dependencies would ship in the image');
  const stageNames = new Set(stages.map((s) => s.name));
  for (const stage of stages) {
    if (stageNames.has(stage.image.toLowerCase()) && stage.image.toLowerCase() !== stage.name) continue;
    if (!PINNED_BASE.test(stage.image)) {
      problems.push(`stage ${stage.name ?? '?'}: base image "${stage.image}" is not an exact node:<x.y.z>-bookworm-slim`);
    }
  }

  const all = stages.flatMap((s) => s.instructions);
  const runInstructions = all.filter((i) => i.getKeyword() === 'RUN');
  const runs = runInstructions.map((i) => i.getArgumentsContent() ?? '');
  if (!runs.some((r) => /\bnpm ci\b/.test(r))) problems.push('never runs "npm ci": dependencies must come from the lock file');
  if (runs.some((r) => /\bnpm (install|i|add)\b/.test(r))) problems.push('runs "npm install": use "npm ci" so the lock file decides');
  if (runInstructions.some((i) => flag(i, 'mount') !== undefined)) {
    problems.push('uses RUN --mount, which the classic builder (docker-compose 1.29 without BuildKit) rejects');
  }

  for (const i of all) {
    const keyword = i.getKeyword();
    const content = i.getArgumentsContent() ?? '';
    if (keyword === 'ARG' || keyword === 'ENV') {
      const names = content.split(/\s+/).map((w) => w.split('=')[0] ?? w);
      for (const name of names) if (SECRET_NAME.test(name)) problems.push(`${keyword} ${name}: secrets must not be baked into images`);
    }
    if ((keyword === 'COPY' || keyword === 'ADD') && /(^|[\s/])(\.env|id_rsa|[^\s]*\.pem|\.npmrc)(\s|$)/.test(content)) {
      problems.push(`${keyword} ${content}: copies a credentials file into the image`);
    }
    if (keyword === 'ADD' && /https?:\/\//.test(content)) problems.push(`ADD ${content}: downloads at build time; use COPY`);
  }

  const runtime = stages.at(-1);
  if (runtime) problems.push(...lintRuntimeStage(runtime, stages));

  const ignored = dockerignore.split('\n').map((l) => l.trim());
  for (const required of ['**/node_modules', '**/dist', '.git', '**/.env']) {
    if (!ignored.includes(required)) problems.push(`.dockerignore does not exclude ${required}`);
  }
  return problems;
}

function lintRuntimeStage(runtime: Stage, stages: Stage[]): string[] {
  const problems: string[] = [];
  const at = `final stage ${runtime.name ?? ''}`.trim();
  const of = (keyword: string) => runtime.instructions.filter((i) => i.getKeyword() === keyword);

  const user = of('USER').at(-1)?.getArgumentsContent()?.trim();
  if (!user) problems.push(`${at}: no USER, so the app would run as root`);
  else if (!/^\d+(:\d+)?$/.test(user)) problems.push(`${at}: USER ${user} is not numeric; Kubernetes cannot verify runAsNonRoot for a name`);
  else if (user.split(':')[0] === '0') problems.push(`${at}: USER ${user} is root`);

  const cmd = of('CMD').at(-1);
  if (!cmd) problems.push(`${at}: no CMD`);
  else if (!(cmd.getRawArgumentsContent() ?? '').trim().startsWith('[')) {
    problems.push(`${at}: CMD is in shell form; use the exec form so node is PID 1 and receives SIGTERM`);
  }
  for (const entrypoint of of('ENTRYPOINT')) {
    if (!(entrypoint.getRawArgumentsContent() ?? '').trim().startsWith('[')) problems.push(`${at}: ENTRYPOINT is in shell form`);
  }

  if (!of('ENV').some((i) => /\bNODE_ENV=production\b/.test(i.getArgumentsContent() ?? ''))) {
    problems.push(`${at}: does not set NODE_ENV=production`);
  }

  // Runtime dependencies: copied from a stage that installed production dependencies only.
  const runs = of('RUN').map((i) => i.getArgumentsContent() ?? '');
  if (runs.some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev\b/.test(r))) problems.push(`${at}: installs dev dependencies`);
  const copiesModules = of('COPY').filter((i) => /node_modules/.test(i.getArgumentsContent() ?? ''));
  const installsHere = runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r));
  if (copiesModules.length === 0 && !installsHere) problems.push(`${at}: has no node_modules (neither copied nor installed)`);
  for (const copy of copiesModules) {
    const from = flag(copy, 'from')?.toLowerCase();
    const source = stages.find((s) => s.name === from);
    const pruned = source?.instructions.some(
      (i) => i.getKeyword() === 'RUN' && /\bnpm ci\b/.test(i.getArgumentsContent() ?? '') && /--omit=dev\b/.test(i.getArgumentsContent() ?? ''),
    );
    if (!pruned) problems.push(`${at}: copies node_modules from stage ${from ?? '(build context)'}, which does not prune dev dependencies (npm ci --omit=dev)`);
  }
  return problems;
}

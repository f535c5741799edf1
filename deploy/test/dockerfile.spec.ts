import { readFileSync } from 'node:fs';
import { lintDockerfile } from '../src/dockerfile-checks';
import { repoPath } from '../src/repo';

const dockerfile = readFileSync(repoPath('Dockerfile'), 'utf8');
const dockerignore = readFileSync(repoPath('.dockerignore'), 'utf8');

/** The lint result for the Dockerfile with one text replacement (which must apply). */
function lintWith(from: string | RegExp, to: string, ignore = dockerignore): string[] {
  const changed = dockerfile.replace(from, to);
  if (changed === dockerfile) throw new Error(`${from} is not in the Dockerfile`);
  return lintDockerfile(changed, ignore);
}

describe('Dockerfile', () => {
  it('passes the lint: multi-stage, pinned bookworm-slim, npm ci, pruned, non-root, exec form, no secrets', () => {
    expect(lintDockerfile(dockerfile, dockerignore)).toEqual([]);
  });

  it('builds any app from one definition (ARG APP) and starts dist/main.js', () => {
    expect(dockerfile).toMatch(/^ARG APP$/m);
    expect(dockerfile).toMatch(/^WORKDIR \/app\/apps\/\$\{APP\}$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main.js"\]$/m);
  });
});

describe('the Dockerfile lint fails on', () => {
  it('a missing or named USER', () => {
    expect(lintWith(/^USER .*$/m, '')).toEqual(['final stage runtime: no USER, so the app would run as root']);
    expect(lintWith(/^USER .*$/m, 'USER node')).toEqual([
      'final stage runtime: USER node is not numeric; Kubernetes cannot verify runAsNonRoot for a name',
    ]);
    expect(lintWith(/^USER .*$/m, 'USER 0')).toEqual(['final stage runtime: USER 0 is root']);
  });

  it('an unpinned, non-Debian or floating base image', () => {
    expect(lintWith(/^ARG NODE_IMAGE=.*$/m, 'ARG NODE_IMAGE=node:20-bookworm-slim')).toHaveLength(4);
    expect(lintWith(/^ARG NODE_IMAGE=.*$/m, 'ARG NODE_IMAGE=node:20.20.2-alpine')[0]).toBe(
      'stage manifests: base image "node:20.20.2-alpine" is not an exact node:<x.y.z>-bookworm-slim',
    );
  });

  it('dev dependencies in the runtime image, or npm install', () => {
    expect(lintWith('npm ci --omit=dev', 'npm ci')).toEqual([
      'final stage runtime: copies node_modules from stage prod-deps, which does not prune dev dependencies (npm ci --omit=dev)',
    ]);
    expect(lintWith('COPY --from=prod-deps /app/node_modules/', 'COPY --from=build /src/node_modules/')).toEqual([
      'final stage runtime: copies node_modules from stage build, which does not prune dev dependencies (npm ci --omit=dev)',
    ]);
    expect(lintWith('npm ci --ignore-scripts --no-audit', 'npm install --ignore-scripts --no-audit')).toEqual([
      'runs "npm install": use "npm ci" so the lock file decides',
    ]);
  });

  it('a shell-form CMD', () => {
    expect(lintWith(/^CMD .*$/m, 'CMD node dist/main.js')).toEqual([
      'final stage runtime: CMD is in shell form; use the exec form so node is PID 1 and receives SIGTERM',
    ]);
  });

  it('a baked-in secret or credentials file', () => {
    expect(lintWith('ENV NODE_ENV=production', 'ENV NODE_ENV=production PAGE_TOKEN_SECRET=abc')).toEqual([
      'ENV PAGE_TOKEN_SECRET: secrets must not be baked into images',
    ]);
    expect(lintWith('COPY package.json ./\n', 'COPY package.json .npmrc ./\n')).toEqual([
      'COPY package.json .npmrc ./: copies a credentials file into the image',
    ]);
  });

  it('a single stage, a syntax directive, RUN --mount or a thin .dockerignore', () => {
    const single = 'FROM node:20.20.2-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nENV NODE_ENV=production\nUSER 1000\nCMD ["node", "main.js"]\n';
    expect(lintDockerfile(single, dockerignore)).toEqual(['is not multi-stage: build tools and dev dependencies would ship in the image']);
    expect(lintWith(/^/, '# syntax=docker/dockerfile:1\n')).toEqual([
      'has a "# syntax=" directive: it makes the build fetch a frontend image; use the builder\'s own',
    ]);
    expect(lintWith('RUN npm ci --omit=dev', 'RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev')).toEqual([
      'uses RUN --mount, which the classic builder (docker-compose 1.29 without BuildKit) rejects',
    ]);
    expect(lintDockerfile(dockerfile, dockerignore.replace('**/node_modules\n', ''))).toEqual(['.dockerignore does not exclude **/node_modules']);
  });
});

import { execFileSync } from 'node:child_process';
import { REPO_ROOT, repoPath } from '../src/repo';

interface LintMessage {
  readonly ruleId: string | null;
  readonly message: string;
}

/**
 * The module-boundary errors ESLint reports for `source` as if it were the
 * file at `path` (given on stdin: nothing is written to the tree).
 */
function boundaryErrors(path: string, source: string): string[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [repoPath('node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', path], {
      cwd: REPO_ROOT,
      input: source,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false' },
    });
  } catch (error) {
    // Exit code 1: lint errors, reported on stdout like a clean run.
    out = (error as { stdout?: string }).stdout ?? '';
    if (!out) throw error;
  }
  const [result] = JSON.parse(out) as [{ messages: LintMessage[] }];
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

const importing = (pkg: string, name: string) => `import { ${name} } from '${pkg}';\nexport const probe = ${name};\n`;

describe('libs in layers (contracts < config < telemetry < transport < data < apps)', () => {
  it.each([
    ['persistence -> grpc-kit (data uses transport)', 'libs/persistence/src/layer-probe.ts', importing('@acme/grpc-kit', 'UnavailableError')],
    ['messaging -> config (data uses config)', 'libs/messaging/src/layer-probe.ts', importing('@acme/config', 'intVar')],
    ['grpc-kit -> config', 'libs/grpc-kit/src/layer-probe.ts', importing('@acme/config', 'intVar')],
    ['an app -> persistence and messaging', 'apps/order-service/src/layer-probe.ts', importing('@acme/persistence', 'Database') + importing('@acme/messaging', 'MessagingModule').replace('probe', 'probe2')],
    // (messaging: libs/testing builds on persistence and grpc-kit, so their tests cannot import it without a cycle)
    ['a kit test -> testing', 'libs/messaging/src/layer-probe.spec.ts', importing('@acme/testing', 'freePort')],
    ['grpc-kit -> telemetry', 'libs/grpc-kit/src/layer-probe.ts', importing('@acme/telemetry', 'activeTraceparent')],
  ])('allows %s', (_, path, source) => {
    expect(boundaryErrors(path, source)).toEqual([]);
  });

  it('fails a sideways import between persistence and messaging, either way', () => {
    // (persistence -> messaging is also reported as a cycle, through messaging's tests and libs/testing)
    const dataLayer =
      'A project tagged with "layer:data" can only depend on libs tagged with "layer:contracts", "layer:config", "layer:telemetry", "layer:transport"';
    expect(boundaryErrors('libs/persistence/src/layer-probe.ts', importing('@acme/messaging', 'sqlIdentifier'))).not.toEqual([]);
    expect(boundaryErrors('libs/messaging/src/layer-probe.ts', importing('@acme/persistence', 'Database'))).toContain(dataLayer);
  });

  it('fails an upward import', () => {
    expect(boundaryErrors('libs/contracts/src/layer-probe.ts', importing('@acme/config', 'intVar'))).toEqual([
      'A project tagged with "layer:contracts" cannot depend on any libs with tags',
    ]);
    // Where the lower lib is already used by the upper one, the cycle is reported too; either way it fails.
    expect(boundaryErrors('libs/grpc-kit/src/layer-probe.ts', importing('@acme/persistence', 'Database'))).not.toEqual([]);
    expect(boundaryErrors('libs/config/src/layer-probe.ts', importing('@acme/grpc-kit', 'UnavailableError'))).not.toEqual([]);
    expect(boundaryErrors('libs/telemetry/src/layer-probe.ts', importing('@acme/grpc-kit', 'UnavailableError'))).not.toEqual([]);
  });

  it('keeps libs/testing out of production code', () => {
    expect(boundaryErrors('libs/messaging/src/layer-probe.ts', importing('@acme/testing', 'freePort'))).toEqual([
      'A project tagged with "layer:data" can only depend on libs tagged with "layer:contracts", "layer:config", "layer:telemetry", "layer:transport"',
    ]);
  });
});

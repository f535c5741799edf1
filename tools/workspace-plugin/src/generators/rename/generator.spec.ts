import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { logger } from '@nx/devkit';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { renameProtoBase, RENAME_RECORD } from './api-rename-record';
import { renameGenerator } from './generator';

// A small workspace shaped like this one, in a git repository of its own:
// the generator reads git (tracked files, a clean tree) and node_modules.
const FILES: Record<string, string> = {
  '.gitignore': 'node_modules/\n',
  'package.json': JSON.stringify({ name: '@acme/source', private: true, workspaces: ['libs/*'] }, null, 2) + '\n',
  'package-lock.json':
    JSON.stringify(
      {
        name: '@acme/source',
        lockfileVersion: 3,
        packages: {
          '': { name: '@acme/source', workspaces: ['libs/*'] },
          'libs/config': { name: '@acme/config' },
          'node_modules/@acme/config': { resolved: 'libs/config', link: true },
          'node_modules/@bufbuild/buf': { version: '1.75.0' },
          'node_modules/yaml': { version: '2.9.1' },
        },
      },
      null,
      2,
    ) + '\n',
  'libs/config/package.json': JSON.stringify({ name: '@acme/config' }) + '\n',
  'apps/user-service/src/main.ts': "import { load } from '@acme/config';\nconst db = 'postgres://acme_users@user-db/acme_users';\n",
  'proto/acme/user/v1/user.proto': 'syntax = "proto3";\npackage acme.user.v1;\nimport "acme/auth/v1/access.proto";\nmessage User { string id = 1; }\n',
  'proto/acme/auth/v1/access.proto': 'syntax = "proto3";\npackage acme.auth.v1;\nmessage Access { repeated string scopes = 1; }\n',
  'k8s/overlays/dev/kustomization.yaml': 'namespace: acme-dev\nimages:\n  - name: acme/user-service\n',
  'README.md': '# Acme\n',
};

function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'rename-generator-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  writeFileSync(join(root, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0x61, 0x63, 0x6d, 0x65])); // "acme" after a NUL
  mkdirSync(join(root, 'node_modules/@acme'), { recursive: true });
  symlinkSync('../../libs/config', join(root, 'node_modules/@acme/config'), 'dir');
  execFileSync('git', ['init', '--quiet'], { cwd: root });
  commitAll(root, 'fixture');
  return root;
}

function commitAll(root: string, message: string) {
  execFileSync('git', ['add', '.'], { cwd: root });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', message], { cwd: root });
}

const OPTIONS = { scope: '@myco', protoPackage: 'myco' };
let root: string;
let info: jest.SpyInstance;
beforeEach(() => {
  root = fixture();
  info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Runs the generator as `nx g` does (changes written, then its callback); the files it changed. */
async function run(options = OPTIONS) {
  const tree = new FsTree(root, false);
  const callback = await renameGenerator(tree, options);
  const changes = tree.listChanges();
  flushChanges(root, changes);
  await callback();
  // Files only: a tree also lists the directories a moved file leaves empty.
  return changes.filter((c) => c.type !== 'DELETE' || c.path in FILES).map((c) => `${c.type} ${c.path}`).sort();
}

const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('rename generator', () => {
  it('renames text and paths, records the rename, and relinks node_modules', async () => {
    const changes = await run();

    expect(changes).toEqual(
      [
        'UPDATE package.json',
        'UPDATE package-lock.json',
        'UPDATE libs/config/package.json',
        'UPDATE apps/user-service/src/main.ts',
        'DELETE proto/acme/user/v1/user.proto',
        'CREATE proto/myco/user/v1/user.proto',
        'DELETE proto/acme/auth/v1/access.proto',
        'CREATE proto/myco/auth/v1/access.proto',
        'UPDATE k8s/overlays/dev/kustomization.yaml',
        'UPDATE README.md',
        `CREATE ${RENAME_RECORD}`,
      ].sort(),
    );
    expect(read('apps/user-service/src/main.ts')).toBe("import { load } from '@myco/config';\nconst db = 'postgres://myco_users@user-db/myco_users';\n");
    expect(read('proto/myco/user/v1/user.proto')).toContain('package myco.user.v1;\nimport "myco/auth/v1/access.proto";');
    expect(read('k8s/overlays/dev/kustomization.yaml')).toBe('namespace: myco-dev\nimages:\n  - name: myco/user-service\n');
    expect(JSON.parse(read(RENAME_RECORD))).toMatchObject({ from: { scope: '@acme', protoPackage: 'acme' }, to: OPTIONS });
    // The lock file as npm writes it: its packages sorted by path.
    expect(Object.keys(JSON.parse(read('package-lock.json')).packages)).toEqual(['', 'libs/config', 'node_modules/@bufbuild/buf', 'node_modules/@myco/config', 'node_modules/yaml']);
    expect(readlinkSync(join(root, 'node_modules/@myco/config'))).toBe('../../libs/config');
    expect(existsSync(join(root, 'node_modules/@acme'))).toBe(false);
  });

  it('changes nothing, and says so, when run again with the same names', async () => {
    await run();

    expect(await run()).toEqual([]);
    expect(info).toHaveBeenCalledWith(expect.stringMatching(/is @myco with proto package myco already, with nothing left of @acme, acme: nothing to rename/));
  });

  it('renames what came in later under the old names (an upstream merge), from its record', async () => {
    await run();
    const merged = 'apps/user-service/src/merged.ts';
    writeFileSync(join(root, merged), "import { SERVICES } from '@acme/contracts'; // acme.user.v1\n");
    commitAll(root, 'the rename, and a merge that brings in the old names');

    expect(await run()).toEqual([`UPDATE ${merged}`]);
    expect(read(merged)).toBe("import { SERVICES } from '@myco/contracts'; // myco.user.v1\n");
  });

  it('refuses a tree with uncommitted changes, writing nothing', async () => {
    writeFileSync(join(root, 'notes.txt'), 'work in progress\n');

    await expect(run()).rejects.toThrow(/the git tree has 1 uncommitted change\(s\) \(e\.g\. notes\.txt\): commit or stash them first/);
    expect(read('README.md')).toBe('# Acme\n');
  });

  it('refuses options that are not a scope and a proto package', async () => {
    await expect(run({ scope: 'myco', protoPackage: 'myco' })).rejects.toThrow(/--scope=myco: an npm scope is @/);
    await expect(run({ scope: '@myco', protoPackage: 'my-co' })).rejects.toThrow(/--proto-package=my-co: a proto package is a lowercase identifier/);
  });
});

describe('renameProtoBase', () => {
  it("renames buf breaking's base as the workspace was renamed, once", () => {
    const base = join(root, 'base');
    cpSync(join(root, 'proto'), base, { recursive: true });
    const record = { from: { scope: '@acme', protoPackage: 'acme' }, to: OPTIONS };

    expect(renameProtoBase(base, record)).toBe(true);
    expect(readFileSync(join(base, 'myco/user/v1/user.proto'), 'utf8')).toContain('package myco.user.v1;\nimport "myco/auth/v1/access.proto";');
    expect(existsSync(join(base, 'acme'))).toBe(false);
    // A base that has the new names already (the rename has landed) is compared as it is.
    expect(renameProtoBase(base, record)).toBe(false);
  });
});

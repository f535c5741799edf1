// Lint rules for the whole workspace. The important one is
// @nx/enforce-module-boundaries: apps may use libs, never each other, and
// each kind of lib may only use the kinds below it.
import nx from '@nx/eslint-plugin';

const TEST_FILES = ['**/*.spec.ts', '**/test/**/*.ts'];

/** Which kinds of project may import which. `inTests`: rules for test files. */
function boundaries({ inTests }) {
  const testing = inTests ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: true,
    allow: [],
    depConstraints: [
      // Generated contracts depend on nothing of ours.
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
      // Shared kits: transport, config, persistence, messaging.
      { sourceTag: 'type:kit', onlyDependOnLibsWithTags: ['type:contracts', 'type:kit', ...testing] },
      // Apps: libs only. No app imports another app.
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:kit', ...testing] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:kit'] },
      // End-to-end suites and tools (local stack, benchmarks) drive real processes.
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:contracts', 'type:kit', 'type:testing'] },
      { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:contracts', 'type:kit', 'type:testing'] },
      // Each service's code stays in its own scope.
      { sourceTag: 'scope:user', onlyDependOnLibsWithTags: ['scope:user', 'scope:shared'] },
      { sourceTag: 'scope:order', onlyDependOnLibsWithTags: ['scope:order', 'scope:shared'] },
      { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'] },
      { sourceTag: 'scope:system', onlyDependOnLibsWithTags: ['scope:shared'] },
    ],
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/coverage', '**/.nx', 'libs/contracts/src/gen/**', '.data/**', 'tmp/**'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ inTests: false })] },
  },
  {
    // Tests (and only tests) may also use the shared test helpers.
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ inTests: true })] },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // Command-line entry points and tools talk to a terminal.
    files: ['**/migrate.ts', '**/run-migrations.ts', 'tools/**/*.ts', 'tools/**/*.mjs', '**/test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: TEST_FILES,
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } },
  },
];

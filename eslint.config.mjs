// Lint rules for the whole workspace. The important one is
// @nx/enforce-module-boundaries: apps may use libs, never each other, and the
// libs form layers, each using only the layers below it (never one beside or
// above it):
//
//   layer:contracts  generated contracts (libs/contracts)
//   layer:config     environment parsing (libs/config)
//   layer:telemetry  OpenTelemetry setup from OTEL_* variables (libs/telemetry)
//   layer:transport  gRPC servers and clients, health, logging (libs/grpc-kit)
//   layer:data       persistence (Postgres) and messaging (RabbitMQ), which
//                    share a layer and do not use each other
//   apps             user-service, order-service, api-gateway
//
// libs/testing (layer:testing) sits above the kits and is for tests, e2e
// suites and tools only.
import nx from '@nx/eslint-plugin';

const TEST_FILES = ['**/*.spec.ts', '**/test/**/*.ts'];

const CONTRACTS = ['layer:contracts'];
const CONFIG = [...CONTRACTS, 'layer:config'];
const TELEMETRY = [...CONFIG, 'layer:telemetry'];
const TRANSPORT = [...TELEMETRY, 'layer:transport'];
const DATA = [...TRANSPORT, 'layer:data'];

/** Which kinds of project may import which. `inTests`: rules for test files. */
function boundaries({ inTests }) {
  const testing = inTests ? ['layer:testing'] : [];
  return {
    enforceBuildableLibDependency: true,
    allow: [],
    depConstraints: [
      // Generated contracts depend on nothing of ours.
      { sourceTag: 'layer:contracts', onlyDependOnLibsWithTags: [] },
      { sourceTag: 'layer:config', onlyDependOnLibsWithTags: [...CONTRACTS, ...testing] },
      { sourceTag: 'layer:telemetry', onlyDependOnLibsWithTags: [...CONFIG, ...testing] },
      { sourceTag: 'layer:transport', onlyDependOnLibsWithTags: [...TELEMETRY, ...testing] },
      // persistence and messaging: the layers below, not each other.
      { sourceTag: 'layer:data', onlyDependOnLibsWithTags: [...TRANSPORT, ...testing] },
      { sourceTag: 'layer:testing', onlyDependOnLibsWithTags: DATA },
      // Apps: libs only. No app imports another app.
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: [...DATA, ...testing] },
      // End-to-end suites and tools (local stack, benchmarks) drive real processes.
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: [...DATA, 'layer:testing'] },
      { sourceTag: 'type:tool', onlyDependOnLibsWithTags: [...DATA, 'layer:testing'] },
      // Each service's code stays in its own scope.
      { sourceTag: 'scope:user', onlyDependOnLibsWithTags: ['scope:user', 'scope:shared'] },
      { sourceTag: 'scope:order', onlyDependOnLibsWithTags: ['scope:order', 'scope:shared'] },
      { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'] },
      { sourceTag: 'scope:identity', onlyDependOnLibsWithTags: ['scope:identity', 'scope:shared'] },
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

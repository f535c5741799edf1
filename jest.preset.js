// Shared Jest settings for every project. TypeScript is compiled by SWC (fast,
// keeps decorator metadata for NestJS DI). Workspace libs resolve to their
// TypeScript sources through the "@acme/source" export condition, so tests
// never need a prior build of the libs.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@acme/source', 'node', 'require', 'default'],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.(ts|js)$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  // jose ships ES modules only; Node loads them from our CommonJS with
  // require(esm), Jest's module system cannot, so SWC compiles them too.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  setupFiles: [require('node:path').join(__dirname, 'tools/jest/setup-quiet-logs.js')],
  clearMocks: true,
};

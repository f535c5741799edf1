/** @type {import('jest').Config} */
module.exports = {
  displayName: 'local-stack',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // Starts a real Postgres cluster (initdb included) and the services.
  testTimeout: 120_000,
};

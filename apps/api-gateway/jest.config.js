/** @type {import('jest').Config} */
module.exports = {
  displayName: 'api-gateway',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // The end-to-end suites start real services and Postgres databases.
  testTimeout: 30_000,
};

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'system-e2e',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  // Each file starts real service processes; give them room on small CI machines.
  testTimeout: 30_000,
};

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'system-e2e',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  // Each file starts real service processes; give them room on small CI machines.
  testTimeout: 30_000,
  // Two files at a time: they mostly wait on the processes they start (each
  // with databases and ports of its own), and on two cores Jest's default
  // (cores - 1) would run them one by one.
  maxWorkers: 2,
};

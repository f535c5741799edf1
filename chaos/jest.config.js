/** @type {import('jest').Config} */
module.exports = {
  displayName: 'chaos',
  preset: '../jest.preset.js',
  rootDir: '.',
  // Only the pure parts (the PRNG, the fault schedule, the checker, the
  // report): the soak itself is a command, not a test.
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'bench',
  preset: '../jest.preset.js',
  rootDir: '.',
  // Only the pure parts (statistics, /proc parsing, tables, budgets, profiles):
  // the benchmark itself is a command, not a test.
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'workspace-plugin',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};

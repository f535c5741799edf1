/** @type {import('jest').Config} */
module.exports = {
  displayName: 'messaging',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // Tests talk to the real RabbitMQ and Postgres; each creates its own vhost and database.
  testTimeout: 30_000,
};

// Tests assert behaviour, not log output: keep Nest's default logger (used by
// TypeORM's logger adapter outside an app) to warnings and errors.
require('@nestjs/common').Logger.overrideLogger(['error', 'warn']);

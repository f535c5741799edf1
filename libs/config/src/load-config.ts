import type { z } from 'zod';
import { productionProblems, REDACTED_SCHEMAS, SECRET_SCHEMAS } from './deployment-environment';

/** Thrown when the environment does not satisfy a service's config schema. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment once, at boot, against a schema whose keys are
 * the variable names. Every problem is reported at once, each naming its
 * variable, so a misconfigured deployment is fixed in one round.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const shape = schema.shape as Record<string, z.ZodType>;
  const problems = productionProblems(shape, env);
  const result = schema.safeParse(env);
  if (!result.success) {
    problems.push(
      ...result.error.issues.map((issue) => {
        const variable = issue.path.join('.') || '(environment)';
        // A list variable's issue points into it (NAME.0): its value and secrecy are the variable's.
        const name = String(issue.path[0] ?? '');
        const field = shape[name];
        return `${variable}: ${issue.message} (${shown(env[name], field !== undefined && (SECRET_SCHEMAS.has(field) || REDACTED_SCHEMAS.has(field)))})`;
      }),
    );
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

/** The offending value for the message: never a secret, and URLs without their password. */
function shown(value: string | undefined, secret: boolean): string {
  if (value === undefined) return 'not set';
  if (secret) return `${[...value].length} characters, not shown`;
  return `got ${JSON.stringify(value.replace(/(\/\/[^:/@\s]*:)[^@/\s]*@/, '$1***@'))}`;
}

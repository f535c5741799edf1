import type { z } from 'zod';

/**
 * Every development credential this repository ships (docker-compose.yml,
 * .env.example, the dev overlay, the services' local fallbacks) contains this
 * marker, so a production configuration can refuse all of them with one rule
 * instead of a list that would fall behind.
 */
export const DEVELOPMENT_VALUE_MARKER = 'dev-only';

export type DeploymentEnvironment = 'development' | 'production';

/** The variable that names the environment; NODE_ENV decides when it is unset. */
export const DEPLOYMENT_ENVIRONMENT_VAR = 'DEPLOYMENT_ENVIRONMENT';

const ENVIRONMENTS: readonly DeploymentEnvironment[] = ['development', 'production'];

/**
 * Production unless told otherwise once NODE_ENV=production (as in every
 * image): a stack that runs the images with development credentials
 * (docker compose, the dev overlay) says DEPLOYMENT_ENVIRONMENT=development.
 */
export function deploymentEnvironment(env: Record<string, string | undefined>): DeploymentEnvironment {
  const named = env[DEPLOYMENT_ENVIRONMENT_VAR];
  if (named === 'development' || named === 'production') return named;
  return env['NODE_ENV'] === 'production' ? 'production' : 'development';
}

/** Schemas made by secretVar: required in production, and their values never appear in messages. */
export const SECRET_SCHEMAS = new WeakSet<z.ZodType>();
/** Schemas whose values never appear in messages but that production may leave unset (previousSecretsVar). */
export const REDACTED_SCHEMAS = new WeakSet<z.ZodType>();

/**
 * What a production configuration must not have: a secret left unset (its
 * development fallback would be used) or any variable holding a development
 * value (a secret, or a password inside a database or broker URL).
 */
export function productionProblems(shape: Record<string, z.ZodType>, env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const named = env[DEPLOYMENT_ENVIRONMENT_VAR];
  if (named !== undefined && !ENVIRONMENTS.includes(named as DeploymentEnvironment)) {
    problems.push(`${DEPLOYMENT_ENVIRONMENT_VAR}: expected ${ENVIRONMENTS.join(' or ')} (got ${JSON.stringify(named)})`);
  }
  if (deploymentEnvironment(env) !== 'production') return problems;
  for (const [name, schema] of Object.entries(shape)) {
    const value = env[name];
    if (value === undefined && SECRET_SCHEMAS.has(schema)) {
      problems.push(`${name}: required in production (not set)`);
    } else if (value?.includes(DEVELOPMENT_VALUE_MARKER)) {
      problems.push(
        `${name}: holds a development value (it contains "${DEVELOPMENT_VALUE_MARKER}"); production needs its own. ` +
          `Set ${DEPLOYMENT_ENVIRONMENT_VAR}=development only for a local or test stack`,
      );
    }
  }
  return problems;
}

import { z } from 'zod';
import { eventContractOf, SERVICES } from '@acme/contracts';

const envVar = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable name');

/**
 * What a launcher needs to know to run an app, as the app states it in its
 * project.json (`metadata.launch`). Launchers read nothing else about an app:
 * a new app appears in `npm start`, the tests and the bench by this alone.
 */
export const launchManifestSchema = z.strictObject({
  protocol: z.enum(['grpc', 'http']),
  /** The variables it takes its listening address from. */
  listen: z.strictObject({ hostVar: envVar, portVar: envVar }),
  /** When it is ready: its grpc.health.v1 service reports SERVING, or an HTTP path answers 200. */
  ready: z.union([
    z.strictObject({
      grpcHealth: z.string().refine((name) => Object.values(SERVICES).some((s) => s.typeName === name), 'a service of @acme/contracts'),
    }),
    z.strictObject({ httpPath: z.string().startsWith('/') }),
  ]),
  /** Its own database: the variable for its URL, the default name, the target that applies its migrations. */
  database: z
    .strictObject({ urlVar: envVar, name: z.string().regex(/^[a-z_][a-z0-9_]*$/), migrations: z.string().optional() })
    .optional(),
  /** It publishes events through the broker, whose URL it takes from this variable, and may consume some. */
  broker: z
    .strictObject({
      urlVar: envVar,
      /** The durable queue it consumes from, and the events (full protobuf names, from @acme/contracts' EVENTS) bound to it. */
      consumes: z
        .strictObject({
          queue: z.string().min(1),
          events: z.array(z.string().refine((type) => eventContractOf(type) !== undefined, 'an event of @acme/contracts (EVENTS)')).min(1),
        })
        .optional(),
    })
    .optional(),
  /** The apps it calls, by the variable that holds each one's address. */
  upstreams: z.record(envVar, z.string()).default({}),
  /** `npm start`: the fixed port (and the variable overriding it), the variable giving its own database URL. */
  local: z.strictObject({ port: z.number().int().min(1).max(65535), portVar: envVar, databaseUrlVar: envVar.optional() }),
});

export type LaunchManifest = z.output<typeof launchManifestSchema>;

export interface RegisteredApp {
  readonly name: string;
  /** Nx's own project description (`metadata.description`), shown by `npm start`. */
  readonly description: string;
  readonly launch: LaunchManifest;
}

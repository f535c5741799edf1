import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

// Only the files Swagger UI's page loads may be read from the package directory.
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** Serves the UI's files from `root` (swagger-ui-dist's directory) under `prefix`, read once and kept in memory. */
export function serveSwaggerUiAssets(fastify: FastifyInstance, root: string, prefix: string): void {
  const cache = new Map<string, Buffer>();
  fastify.get<{ Params: { asset: string } }>(`${prefix}/:asset`, async (request, reply) => {
    const { asset } = request.params;
    const contentType = ASSETS[asset];
    if (!contentType) return reply.callNotFound();
    let body = cache.get(asset);
    if (!body) {
      body = await readFile(join(root, asset));
      cache.set(asset, body);
    }
    return reply.type(contentType).header('cache-control', 'public, max-age=86400').send(body);
  });
}

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { FastifyInstance } from 'fastify';
import { swaggerUiPage, swaggerUiAsset } from './swagger-ui';

export interface ApiDescription {
  readonly title: string;
  readonly description: string;
  readonly version: string;
  /** Named schemas the route decorators refer to as #/components/schemas/<name>. */
  readonly schemas: Record<string, unknown>;
}

/** The OpenAPI document, generated from the controllers' decorators and the same JSON schemas Fastify validates with. */
export function buildOpenApiDocument(app: NestFastifyApplication, api: ApiDescription): OpenAPIObject {
  const config = new DocumentBuilder().setTitle(api.title).setDescription(api.description).setVersion(api.version).build();
  config.components = { ...config.components, schemas: api.schemas as Record<string, SchemaObject> };
  return SwaggerModule.createDocument(app, config);
}

/**
 * Serves the document at /openapi.json and Swagger UI at /docs. The UI's
 * files come from swagger-ui-dist on disk (no CDN, works offline).
 */
export function serveApiDocs(fastify: FastifyInstance, document: OpenAPIObject): void {
  const json = JSON.stringify(document);
  fastify.get('/openapi.json', (_request, reply) => reply.type('application/json; charset=utf-8').send(json));
  fastify.get('/docs', (_request, reply) => reply.type('text/html; charset=utf-8').send(swaggerUiPage('/docs', '/openapi.json')));
  fastify.get<{ Params: { asset: string } }>('/docs/:asset', async (request, reply) => {
    const asset = await swaggerUiAsset(request.params.asset);
    if (!asset) return reply.callNotFound();
    return reply.type(asset.contentType).header('cache-control', 'public, max-age=86400').send(asset.body);
  });
}

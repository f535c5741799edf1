import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { withSecurity } from './openapi-security';
import { serveSwaggerUiAssets } from './swagger-ui-assets';

export interface ApiDescription {
  readonly title: string;
  readonly description: string;
  readonly version: string;
  /** Named schemas the route decorators refer to as #/components/schemas/<name>. */
  readonly schemas: Record<string, unknown>;
}

/**
 * The OpenAPI document, generated from the controllers' decorators and the
 * same JSON schemas Fastify validates with; its security schemes name
 * `issuer`, the one the edge verifies tokens against (undefined: AUTH_MODE=off).
 */
export function buildOpenApiDocument(app: NestFastifyApplication, api: ApiDescription, issuer: string | undefined): OpenAPIObject {
  const config = new DocumentBuilder().setTitle(api.title).setDescription(api.description).setVersion(api.version).build();
  config.components = { ...config.components, schemas: api.schemas as Record<string, SchemaObject> };
  return withSecurity(SwaggerModule.createDocument(app, config), issuer);
}

/**
 * The document at /openapi.json and @nestjs/swagger's own Swagger UI at
 * /docs, from the swagger-ui-dist it bundles (no CDN, works offline).
 * SwaggerModule would serve the UI's directory with @fastify/static, which
 * cannot be installed here (@nestjs/swagger 11.4 wants ^8 || ^9,
 * @nestjs/platform-fastify 11.2 ^10); its useStaticAssets call is answered
 * with the few files the page loads instead.
 */
export function serveApiDocs(app: NestFastifyApplication, document: OpenAPIObject): void {
  const fastify = app.getHttpAdapter().getInstance();
  const docsHost = Object.create(app, {
    useStaticAssets: { value: ({ root, prefix }: { root: string; prefix: string }) => serveSwaggerUiAssets(fastify, root, prefix) },
  }) as NestFastifyApplication;
  SwaggerModule.setup('docs', docsHost, document, {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
    customSiteTitle: `${document.info.title} - Swagger UI`,
    swaggerUrl: '/openapi.json',
  });
}

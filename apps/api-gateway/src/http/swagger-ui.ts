import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

// The package's main module loads the whole UI bundle into Node; only its directory is needed.
const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

// Only the files the page below loads may be read from the package directory.
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const cache = new Map<string, Buffer>();

export async function swaggerUiAsset(name: string): Promise<{ body: Buffer; contentType: string } | undefined> {
  const contentType = ASSETS[name];
  if (!contentType) return undefined;
  let body = cache.get(name);
  if (!body) {
    body = await readFile(join(SWAGGER_UI_DIR, name));
    cache.set(name, body);
  }
  return { body, contentType };
}

export function swaggerUiPage(base: string, specUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>API gateway - Swagger UI</title>
  <link rel="stylesheet" href="${base}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${base}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${base}/swagger-ui-bundle.js"></script>
  <script>window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#swagger-ui' });</script>
</body>
</html>
`;
}

// A stand-in for an OpenTelemetry Collector in the compose smoke (no collector
// image can be pulled here): receives OTLP/HTTP JSON spans from the services'
// real images and answers GET /spans?trace=<id> with what each service sent.
// Plain Node, no dependencies: it runs in one of the app images.
const { createServer } = require('node:http');

const spans = [];
const attribute = (list, key) => (list ?? []).find((a) => a.key === key)?.value?.stringValue;

createServer((request, response) => {
  const url = new URL(request.url, 'http://receiver');
  if (request.method === 'POST' && url.pathname === '/v1/traces') {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      for (const resource of JSON.parse(body).resourceSpans ?? []) {
        const service = attribute(resource.resource?.attributes, 'service.name');
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) spans.push({ service, name: span.name, kind: span.kind, traceId: span.traceId });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    return;
  }
  if (request.method === 'GET' && url.pathname === '/spans') {
    const trace = url.searchParams.get('trace');
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(spans.filter((s) => !trace || s.traceId === trace)));
    return;
  }
  response.writeHead(404).end();
}).listen(4318, '0.0.0.0');

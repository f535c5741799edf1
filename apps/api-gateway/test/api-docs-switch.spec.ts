import type { RunningHttpGateway } from '../src/http/bootstrap-http-gateway';
import { startGateway } from './support/gateway';
import { client } from './support/http';

// API_DOCS: on by default (development; routes.spec.ts reads the document and
// the UI), off in the prod overlay. No upstream is needed to see the difference.
describe('API_DOCS=false', () => {
  let gateway: RunningHttpGateway;
  beforeAll(async () => {
    gateway = await startGateway({ API_DOCS: 'false', USER_SERVICE_URL: 'dns:///127.0.0.1:9', ORDER_SERVICE_URL: 'dns:///127.0.0.1:9' });
  });
  afterAll(() => gateway?.shutdown());

  it('serves neither the OpenAPI document nor Swagger UI, and everything else as before', async () => {
    const api = client(gateway.url);
    expect((await api.get('/openapi.json')).status).toBe(404);
    expect((await api.get('/docs')).status).toBe(404);
    expect((await api.get('/docs/swagger-ui-init.js')).status).toBe(404);
    expect((await api.get('/healthz')).status).toBe(200);
    // The API's routes are still there, and still refuse a caller without a token before any upstream is asked.
    expect((await api.get('/users/not-a-uuid')).status).toBe(401);
  });
});

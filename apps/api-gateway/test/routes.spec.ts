import { docsAndHealthRoutes } from './routes/docs-and-health.routes';
import { edgeValidationRoutes } from './routes/edge-validation.routes';
import { headerBytesRoutes } from './routes/header-bytes.routes';
import { ordersRoutes } from './routes/orders.routes';
import { ALLOWED_ORIGIN, securityHeadersRoutes } from './routes/security-headers.routes';
import { usersRoutes } from './routes/users.routes';
import { useStack } from './support/stack';

// Every route against real user-service and order-service processes (real
// gRPC, real Postgres), sharing one stack: starting one is most of the time.
// Each group creates its own data and asserts only on it.
describe('api-gateway routes', () => {
  const stack = useStack('gw_routes', { CORS_ALLOWED_ORIGINS: ALLOWED_ORIGIN });

  describe('/users', () => usersRoutes(stack));
  describe('/orders', () => ordersRoutes(stack));
  describe('bad input is answered at the edge, before any gRPC call', () => edgeValidationRoutes(stack));
  describe('header values are echoed and forwarded byte for byte, or refused', () => headerBytesRoutes(stack));
  describe('OpenAPI, Swagger UI, probes, request id', () => docsAndHealthRoutes(stack));
  describe('security headers and CORS', () => securityHeadersRoutes(stack));
});

import type { Attributes } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { DURATION_BUCKETS_SECONDS, meterOf } from '@acme/telemetry';
import { PROBES } from './logging';

/**
 * http.server.request.duration (s) for every answered request, by
 * http.request.method, http.route (the route template, "/orders/:id"; absent
 * when no route matched) and http.response.status_code: the edge's RED
 * metrics, which the SLOs in deploy/observability read. Probes are not
 * traffic and are not counted (the scrape has a server of its own).
 */
export function installHttpMetrics(fastify: FastifyInstance): void {
  const duration = meterOf('api-gateway').createHistogram('http.server.request.duration', {
    description: 'Duration of HTTP requests answered by the gateway',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
  });
  // One attribute set per method, route and status, made once: the SDK reads them on every request.
  const attributeSets = new Map<string, Attributes>();
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route === undefined || !PROBES.has(route)) {
      const key = `${request.method} ${route ?? ''} ${reply.statusCode}`;
      let attributes = attributeSets.get(key);
      if (!attributes) {
        attributes = { 'http.request.method': request.method, 'http.response.status_code': reply.statusCode, ...(route === undefined ? {} : { 'http.route': route }) };
        attributeSets.set(key, attributes);
      }
      duration.record(reply.elapsedTime / 1000, attributes);
    }
    done();
  });
}

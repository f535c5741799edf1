import type { BatchObservableCallback } from '@opentelemetry/api';
import type { Pool } from 'pg';
import { meterOf } from '@acme/telemetry';

/**
 * The pool's state at each scrape, as the database-client conventions name
 * it: db.client.connection.count by state (used, idle) and
 * db.client.connection.pending_requests (callers waiting for a connection:
 * the pool is too small, or the database too slow). Returns the stop
 * function (when the pool closes). A no-op while metrics are off.
 */
export function observePool(pool: Pool, poolName: string): () => void {
  const meter = meterOf('@acme/persistence');
  const connections = meter.createObservableUpDownCounter('db.client.connection.count', {
    description: 'Connections in the pool, by state',
    unit: '{connection}',
  });
  const pending = meter.createObservableUpDownCounter('db.client.connection.pending_requests', {
    description: 'Callers waiting for a pooled connection',
    unit: '{request}',
  });
  const used = { 'db.client.connection.pool.name': poolName, 'db.client.connection.state': 'used' };
  const idle = { 'db.client.connection.pool.name': poolName, 'db.client.connection.state': 'idle' };
  const ofPool = { 'db.client.connection.pool.name': poolName };
  const observe: BatchObservableCallback = (result) => {
    result.observe(connections, pool.totalCount - pool.idleCount, used);
    result.observe(connections, pool.idleCount, idle);
    result.observe(pending, pool.waitingCount, ofPool);
  };
  meter.addBatchObservableCallback(observe, [connections, pending]);
  return () => meter.removeBatchObservableCallback(observe, [connections, pending]);
}

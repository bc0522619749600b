import type { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { MessageBus } from '../bus/message-bus';
import { DependencyCheck, DEPENDENCY_CHECK_TIMEOUT_MS } from './dependency-monitor';

/**
 * The process's database, required for readiness: `SELECT 1` on a connection of its own pool (so a
 * pool that cannot hand out connections counts as down too). The query gives up by itself after
 * the check's timeout and its connection is then discarded, not returned to the pool: a connection
 * cut off by a network partition would otherwise hang the check (and any request that got it).
 */
export function databaseCheck(dataSource: DataSource, timeoutMs = DEPENDENCY_CHECK_TIMEOUT_MS): DependencyCheck {
  return {
    name: 'database',
    required: true,
    probe: async () => {
      const pool = (dataSource.driver as PostgresDriver).master as Pool;
      const client: PoolClient = await pool.connect();
      // A connection that fails while checked out emits 'error' (the query fails with it too): never uncaught.
      const ignore = () => undefined;
      client.on('error', ignore);
      try {
        // pg's per-query read timeout (missing from its type definitions).
        await client.query({ text: 'SELECT 1', query_timeout: timeoutMs } as QueryConfig);
      } catch (error) {
        client.release(error as Error);
        throw error;
      } finally {
        client.off('error', ignore);
      }
      client.release();
    },
  };
}

/** The bus (Kafka, or the embedded PostgreSQL log): reported, not required (requests that publish answer 503 meanwhile). */
export function busCheck(bus: MessageBus): DependencyCheck {
  return { name: 'bus', required: false, probe: () => bus.ping() };
}

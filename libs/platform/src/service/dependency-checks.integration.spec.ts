import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { serviceDataSourceOptions } from '../database/service-data-source';
import { CuttableTcpProxy } from '../testing/cuttable-tcp-proxy';
import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { databaseCheck } from './dependency-checks';

describe('the database check (real PostgreSQL behind a relay)', () => {
  let database: TestDatabase;
  let proxy: CuttableTcpProxy;
  let dataSource: DataSource;
  const pool = () => (dataSource.driver as PostgresDriver).master as Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.url);
    proxy = await CuttableTcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    dataSource = new DataSource(serviceDataSourceOptions({ url: proxied.toString(), schema: 'public', poolSize: 2 }));
    await dataSource.initialize();
  });

  afterAll(async () => {
    await proxy?.restore();
    await dataSource?.destroy();
    await proxy?.cut();
    await database?.drop();
  });

  it('gives up on its own when the database stops answering, and discards that connection rather than pool it', async () => {
    const check = databaseCheck(dataSource, 300);
    expect(check).toMatchObject({ name: 'database', required: true });
    await check.probe();
    expect(pool().idleCount).toBeGreaterThan(0);

    proxy.freeze();
    const started = performance.now();
    await expect(check.probe()).rejects.toThrow('Query read timeout');
    expect(performance.now() - started).toBeLessThan(5000);
    // The connection that hung is out of the pool: the next request gets a fresh one, not a dead one.
    expect(pool().totalCount).toBe(0);

    await proxy.restore();
    await check.probe();
  });

  it('fails at once while the database refuses connections', async () => {
    const check = databaseCheck(dataSource, 300);
    await proxy.cut();
    try {
      // Each pooled connection was reset (its error discards it); then a new one is refused.
      const errors: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        const started = performance.now();
        errors.push(
          await check.probe().then(
            () => 'answered',
            (error: Error) => error.message,
          ),
        );
        expect(performance.now() - started).toBeLessThan(1000);
      }
      expect(errors.slice(0, 2)).toEqual(errors.slice(0, 2).map(() => expect.stringMatching(/ECONNRESET|ECONNREFUSED|terminated/)));
      expect(errors.slice(2)).toEqual([expect.stringContaining('ECONNREFUSED'), expect.stringContaining('ECONNREFUSED')]);
    } finally {
      await proxy.restore();
    }
    await check.probe();
  });
});

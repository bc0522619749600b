import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-key request counters of fixed windows, shared by every gateway replica: one row per key and
 * window, incremented by an upsert. Windows that ended are deleted as the next one starts.
 */
export class RateLimitWindows1700000000600 implements MigrationInterface {
  name = 'RateLimitWindows1700000000600';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE gateway.rate_limit_windows (
        caller text NOT NULL,
        window_start timestamptz NOT NULL,
        requests integer NOT NULL,
        PRIMARY KEY (caller, window_start)
      )`);
    await runner.query('CREATE INDEX rate_limit_windows_window_start ON gateway.rate_limit_windows (window_start)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE gateway.rate_limit_windows');
  }
}

import { Client } from 'pg';
import { createTestDatabase } from './test-database';

describe('test databases', () => {
  it('drops a database even while another backend is blocked writing to a client that stopped reading', async () => {
    const stalledOn = await createTestDatabase();
    const dropped = await createTestDatabase();
    const listener = new Client({ connectionString: stalledOn.url });
    const notifier = new Client({ connectionString: stalledOn.url });
    const warnings: string[] = [];
    const warn = jest.spyOn(console, 'warn').mockImplementation((message: string) => void warnings.push(message));
    try {
      await listener.connect();
      listener.on('error', () => undefined);
      await listener.query('LISTEN stalled');
      // A client that no longer reads its socket (a stopped process): notifications pile up until its backend blocks.
      (listener as unknown as { connection: { stream: { pause(): void } } }).connection.stream.pause();
      await notifier.connect();
      for (let i = 0; i < 1_500; i++) await notifier.query(`NOTIFY stalled, '${'x'.repeat(7_000)}'`);
      const blocked = await notifier.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'ClientWrite' AND datname = current_database()");
      expect(blocked.rows[0].n).toBe(1);

      await dropped.drop();

      const left = await notifier.query('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [new URL(dropped.url).pathname.slice(1)]);
      expect(left.rows[0].n).toBe(0);
      expect(warnings.join('\n')).toMatch(/is blocked writing to a client that does not read .*terminating it/);
    } finally {
      warn.mockRestore();
      await notifier.end().catch(() => undefined);
      listener.connection.stream.destroy();
      await stalledOn.drop();
    }
  }, 60_000);
});

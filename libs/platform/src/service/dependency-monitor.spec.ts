import { DependencyCheck, DependencyMonitor } from './dependency-monitor';

/** A dependency the test switches: answering, failing, or hanging until released. */
class SwitchableDependency {
  mode: 'up' | 'fail' | 'hang' = 'up';
  probes = 0;
  private releases: Array<() => void> = [];

  check(name: string, required: boolean): DependencyCheck {
    return {
      name,
      required,
      probe: () => {
        this.probes += 1;
        if (this.mode === 'fail') return Promise.reject(new Error(`connect ECONNREFUSED 10.0.0.7:5432 (${name})`));
        if (this.mode === 'hang') return new Promise<void>((resolve) => this.releases.push(resolve));
        return Promise.resolve();
      },
    };
  }

  release(): void {
    this.releases.splice(0).forEach((resolve) => resolve());
  }
}

function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: { warn: (line: string) => void lines.push(`warn ${line}`), log: (line: string) => void lines.push(`log ${line}`) } };
}

describe('DependencyMonitor', () => {
  const monitors: DependencyMonitor[] = [];
  const monitor = (checks: DependencyCheck[], logger = recordingLogger().logger, timeoutMs = 50) => {
    const made = new DependencyMonitor(checks, { intervalMs: 60_000, timeoutMs, logger });
    monitors.push(made);
    return made;
  };
  afterEach(() => monitors.splice(0).forEach((made) => made.stop()));

  it('is unknown, so not ready, until the first round; start waits for the required checks', async () => {
    const database = new SwitchableDependency();
    const made = monitor([database.check('database', true), database.check('bus', false)]);
    expect(made.snapshot()).toEqual({ ready: false, checks: { database: 'unknown', bus: 'unknown' } });
    await made.start();
    expect(made.snapshot()).toEqual({ ready: true, checks: { database: 'up', bus: 'up' } });
  });

  it('stays ready while a dependency it can do without is down, and reports it', async () => {
    const database = new SwitchableDependency();
    const bus = new SwitchableDependency();
    const made = monitor([database.check('database', true), bus.check('bus', false)]);
    await made.start();
    bus.mode = 'fail';
    await made.refresh();
    expect(made.snapshot()).toEqual({ ready: true, checks: { database: 'up', bus: 'down' } });
  });

  it('is not ready while a required dependency fails, and ready again when it answers', async () => {
    const database = new SwitchableDependency();
    const { lines, logger } = recordingLogger();
    const made = monitor([database.check('database', true)], logger);
    await made.start();
    database.mode = 'fail';
    await made.refresh();
    await made.refresh();
    expect(made.snapshot()).toEqual({ ready: false, checks: { database: 'down' } });
    database.mode = 'up';
    await made.refresh();
    expect(made.snapshot().ready).toBe(true);
    // The reason goes to the log, once per change of state, never into the snapshot.
    expect(lines).toEqual([
      expect.stringMatching(/^warn database is down after [\d.]+ s up: connect ECONNREFUSED 10\.0\.0\.7:5432 \(database\) \(not ready until it is back\)$/),
      expect.stringMatching(/^log database is up again after [\d.]+ s down$/),
    ]);
  });

  it('answers at once while a check hangs: down after the timeout, never started twice, a late answer ignored', async () => {
    const database = new SwitchableDependency();
    const bus = new SwitchableDependency();
    const made = monitor([database.check('database', true), bus.check('bus', false)]);
    await made.start();
    bus.mode = 'hang';
    const round = made.refresh();
    // snapshot() is synchronous: answered from memory while the probe hangs.
    expect(made.snapshot().checks.bus).toBe('up');
    await round;
    expect(made.snapshot()).toEqual({ ready: true, checks: { database: 'up', bus: 'down' } });
    const probesSoFar = bus.probes;
    await made.refresh();
    await made.refresh();
    expect(bus.probes).toBe(probesSoFar);
    bus.mode = 'up';
    bus.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(made.snapshot().checks.bus).toBe('down');
    await made.refresh();
    expect(made.snapshot().checks.bus).toBe('up');
    expect(bus.probes).toBe(probesSoFar + 1);
  });

  it('bounds start-up by the timeout when the required check hangs', async () => {
    const database = new SwitchableDependency();
    database.mode = 'hang';
    const made = monitor([database.check('database', true)], recordingLogger().logger, 100);
    const started = performance.now();
    await made.start();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(made.snapshot()).toEqual({ ready: false, checks: { database: 'down' } });
    database.release();
  });

  it('runs the rounds by itself every interval once started', async () => {
    const database = new SwitchableDependency();
    const made = new DependencyMonitor([database.check('database', true)], { intervalMs: 20, timeoutMs: 50, logger: recordingLogger().logger });
    monitors.push(made);
    await made.start();
    database.mode = 'fail';
    const deadline = Date.now() + 2000;
    while (made.snapshot().ready && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(made.snapshot().checks.database).toBe('down');
    made.stop();
    const probes = database.probes;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(database.probes).toBe(probes);
  });
});

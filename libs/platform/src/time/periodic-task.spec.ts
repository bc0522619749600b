import { Logger } from '@nestjs/common';
import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const logger = () => {
    const warnings: string[] = [];
    return { warnings, logger: { warn: (message: string) => warnings.push(message) } as unknown as Logger };
  };

  it('runs at start and then every interval, never two runs at once', async () => {
    let runs = 0;
    let finish: () => void = () => undefined;
    const { logger: log } = logger();
    const task = new PeriodicTask('work', 1000, () => new Promise<void>((resolve) => ((runs += 1), (finish = resolve))), log);
    task.start();
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(3000); // the first run has not finished: no second one
    expect(runs).toBe(1);
    finish();
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    finish();
    const stopped = task.stop();
    await jest.advanceTimersByTimeAsync(5000);
    await stopped;
    expect(runs).toBe(2);
  });

  it('logs a failed run and runs again at the next interval; stop waits for the run in flight', async () => {
    let runs = 0;
    const { warnings, logger: log } = logger();
    const task = new PeriodicTask(
      'Pruning',
      1000,
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('database away');
      },
      log,
    );
    task.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(warnings).toEqual(['Pruning failed, will retry: database away']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    await task.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(2);
  });
});

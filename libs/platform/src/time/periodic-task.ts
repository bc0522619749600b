import { Logger } from '@nestjs/common';
import { outsideRequest } from '../logging/log-context';

/**
 * Background work a service repeats (sweeps, pruning): once at start and then every `everyMs` of
 * real time, never two runs at once, a failed run logged and left to the next one. What each run
 * does reads the injectable clock itself, so test clocks still decide what is due.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly what: string,
    private readonly everyMs: number,
    private readonly run: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), this.everyMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private kick(): void {
    if (this.running) return;
    this.running = outsideRequest(() => this.run())
      .then(() => undefined)
      .catch((error: Error) => this.logger.warn(`${this.what} failed, will retry: ${error.message}`))
      .finally(() => (this.running = undefined));
  }
}

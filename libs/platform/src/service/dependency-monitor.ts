import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

/** One thing a process depends on, and how to tell whether it answers. */
export interface DependencyCheck {
  name: string;
  /**
   * The process cannot serve its own requests without it (its database): readiness fails while it
   * is down. Other dependencies (the bus, other services) are only reported.
   */
  required: boolean;
  /** Resolves when the dependency answers; rejects (or hangs) when it does not. */
  probe(): Promise<unknown>;
}

export type DependencyState = 'up' | 'down' | 'unknown';

export interface HealthSnapshot {
  /** Every required dependency is up. */
  ready: boolean;
  /** Each dependency by name: up, down, or unknown (not checked yet). */
  checks: Record<string, DependencyState>;
}

export interface DependencyMonitorOptions {
  /** Pause between two rounds of checks. */
  intervalMs?: number;
  /** A check that has not answered within this counts as down (a later answer is ignored). */
  timeoutMs?: number;
  logger?: Pick<Logger, 'warn' | 'log'>;
}

export const DEPENDENCY_CHECK_INTERVAL_MS = 2000;
export const DEPENDENCY_CHECK_TIMEOUT_MS = 2000;

interface Outcome {
  state: DependencyState;
  /** When the state last changed (ms since the epoch). */
  since: number;
}

/**
 * Checks a process's dependencies in the background and keeps the latest outcome of each, so that
 * health answers come from memory at once and never wait on a broken dependency. Each check runs
 * at most once at a time: one that hangs is down after timeoutMs and is not started again until it
 * settles. Why a check fails goes to the log (when it goes down), never into an answer.
 */
export class DependencyMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly outcomes = new Map<string, Outcome>();
  private readonly inFlight = new Set<string>();
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly logger: Pick<Logger, 'warn' | 'log'>;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly checks: DependencyCheck[],
    options: DependencyMonitorOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? DEPENDENCY_CHECK_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? DEPENDENCY_CHECK_TIMEOUT_MS;
    this.logger = options.logger ?? new Logger('Health');
    for (const check of checks) this.outcomes.set(check.name, { state: 'unknown', since: Date.now() });
  }

  /** Before the port opens: the required checks' first outcome (bounded by timeoutMs), the others in the background. */
  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const round = this.checks.map((check) => ({ check, done: this.run(check) }));
    await Promise.all(round.filter(({ check }) => check.required).map(({ done }) => done));
    void Promise.all(round.map(({ done }) => done)).then(() => this.schedule());
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The dependencies checked, in order. */
  dependencies(): ReadonlyArray<Pick<DependencyCheck, 'name' | 'required'>> {
    return this.checks;
  }

  snapshot(): HealthSnapshot {
    const checks: Record<string, DependencyState> = {};
    for (const check of this.checks) checks[check.name] = this.outcomes.get(check.name)!.state;
    return { ready: this.checks.every((check) => !check.required || checks[check.name] === 'up'), checks };
  }

  /** One round now (tests; the timer runs them otherwise). Resolves when every check started has an outcome. */
  async refresh(): Promise<void> {
    await Promise.all(this.checks.map((check) => this.run(check)));
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.refresh().then(() => this.schedule()), this.intervalMs);
    this.timer.unref();
  }

  /** Resolves once the check answered or timed out; a check still running from an earlier round is left to finish. */
  private run(check: DependencyCheck): Promise<void> {
    if (this.inFlight.has(check.name)) return Promise.resolve();
    this.inFlight.add(check.name);
    let settled = false;
    return new Promise<void>((resolve) => {
      const timeout = setTimeout(() => {
        settled = true;
        this.record(check, 'down', `no answer within ${this.timeoutMs} ms`);
        resolve();
      }, this.timeoutMs);
      timeout.unref();
      const probing = Promise.resolve().then(() => check.probe());
      probing
        .then(
          () => !settled && this.record(check, 'up'),
          (error: unknown) => !settled && this.record(check, 'down', error instanceof Error ? error.message : String(error)),
        )
        .finally(() => {
          this.inFlight.delete(check.name);
          clearTimeout(timeout);
          settled = true;
          resolve();
        });
    });
  }

  private record(check: DependencyCheck, state: 'up' | 'down', reason?: string): void {
    if (!this.running) return;
    const previous = this.outcomes.get(check.name)!;
    if (previous.state === state) return;
    const now = Date.now();
    this.outcomes.set(check.name, { state, since: now });
    const was = previous.state === 'unknown' ? '' : ` after ${((now - previous.since) / 1000).toFixed(1)} s ${previous.state}`;
    if (state === 'down') {
      this.logger.warn(
        `${check.name} is down${was}: ${reason}${check.required ? ' (not ready until it is back)' : ' (reported; readiness does not depend on it)'}`,
      );
    } else if (previous.state === 'down') {
      this.logger.log(`${check.name} is up again${was}`);
    }
  }
}

import { Controller, Get } from '@nestjs/common';
import { ProblemException } from '../http/problem.exception';
import { DependencyMonitor, DependencyState } from './dependency-monitor';
import { OpenToProbes } from './internal-credential';

export interface ReadyAnswer {
  /** ok: every dependency up; degraded: ready, but a dependency it can do without (bus, a service) is down. */
  status: 'ok' | 'degraded';
  checks: Record<string, DependencyState>;
}

/**
 * Health of one process, for probes (no credential, no API key). Live: the process answers (its
 * event loop runs). Ready: it can serve its own requests, i.e. its database is up; the bus and the
 * other services are reported in `checks` (and as metrics) but do not decide it, so one broken
 * dependency never takes every pod out of rotation. Both answer from memory (DependencyMonitor),
 * with states only: why a check fails is in the log.
 */
@OpenToProbes()
@Controller('health')
export class ServiceHealthController {
  constructor(private readonly monitor: DependencyMonitor) {}

  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(): ReadyAnswer {
    const { ready, checks } = this.monitor.snapshot();
    if (!ready) {
      const failing = this.monitor.dependencies().filter(({ name, required }) => required && checks[name] !== 'up');
      throw new ProblemException(503, 'not_ready', `Not ready: ${failing.map(({ name }) => `${name} ${checks[name]}`).join(', ')}.`, { checks });
    }
    return { status: Object.values(checks).every((state) => state === 'up') ? 'ok' : 'degraded', checks };
  }
}

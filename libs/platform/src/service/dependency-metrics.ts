import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Gauge, Registry } from 'prom-client';
import { DependencyMonitor } from './dependency-monitor';
import { OpenToProbes } from './internal-credential';

/**
 * Adds the health of a process to a Prometheus registry, read from its DependencyMonitor at each
 * scrape: `abaxus_dependency_up{dependency,required}` (1 up, 0 down; absent until first checked)
 * and `abaxus_ready` (1 while /health/ready answers 200).
 */
export function registerDependencyMetrics(registry: Registry, monitor: DependencyMonitor): void {
  new Gauge({
    name: 'abaxus_dependency_up',
    help: 'Whether a dependency of this process answers its health check (1) or not (0); required ones decide readiness.',
    labelNames: ['dependency', 'required'],
    registers: [registry],
    collect() {
      this.reset();
      const { checks } = monitor.snapshot();
      for (const { name, required } of monitor.dependencies()) {
        if (checks[name] !== 'unknown') this.set({ dependency: name, required: String(required) }, checks[name] === 'up' ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'abaxus_ready',
    help: 'Whether this process is ready (every required dependency up): 1, else 0.',
    registers: [registry],
    collect() {
      this.set(monitor.snapshot().ready ? 1 : 0);
    },
  });
}

/** A service's Prometheus metrics (the gateway has its own, with the same dependency gauges). */
export class ServiceMetrics {
  readonly registry = new Registry();

  constructor(monitor: DependencyMonitor) {
    registerDependencyMetrics(this.registry, monitor);
  }
}

/** Unauthenticated like health (no internal credential): scraped by Prometheus from inside the network. */
@OpenToProbes()
@Controller('metrics')
export class ServiceMetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}

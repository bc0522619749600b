import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { registerDependencyMetrics } from '@abaxus/platform/service/dependency-metrics';
import { DependencyMonitor } from '@abaxus/platform/service/dependency-monitor';

/**
 * Prometheus metrics of the edge: every /v1 request by owning service, method and status, and
 * its latency; the gateway's dependencies (database, bus, each service) as seen by its health
 * checks. A registry of its own, so several engines in one process never collide.
 */
@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'abaxus_http_requests_total',
    help: 'Requests through the gateway, by owning service, method and status.',
    labelNames: ['service', 'method', 'status'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'abaxus_http_request_duration_seconds',
    help: 'Time from the gateway receiving a request to its answer, by owning service.',
    labelNames: ['service'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  private readonly refusals = new Counter({
    name: 'abaxus_gateway_refused_total',
    help: 'Requests the gateway answered itself before reading their body (unknown route, key, scope, overload, rate limit), by problem code.',
    labelNames: ['code'],
    registers: [this.registry],
  });

  constructor(monitor: DependencyMonitor) {
    collectDefaultMetrics({ register: this.registry, prefix: 'abaxus_gateway_' });
    registerDependencyMetrics(this.registry, monitor);
  }

  refused(code: string): void {
    this.refusals.inc({ code });
  }

  observe(service: string, method: string, status: number, startedAt: bigint): void {
    this.requests.inc({ service, method, status: String(status) });
    this.duration.observe({ service }, Number(process.hrtime.bigint() - startedAt) / 1e9);
  }
}

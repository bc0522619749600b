import { SERVICE_NAMES } from '@abaxus/platform/config/abaxus-config';
import { DependencyCheck, DEPENDENCY_CHECK_TIMEOUT_MS } from '@abaxus/platform/service/dependency-monitor';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';

/**
 * What the gateway checks beyond its database and the bus: each service's own readiness. Reported
 * in the gateway's /health/ready and metrics, never required: one service down makes its routes
 * answer 503, not the whole gateway unready.
 */
export function serviceChecks(services: ServiceHttpClient): DependencyCheck[] {
  return SERVICE_NAMES.map((name) => ({
    name,
    required: false,
    probe: async () => {
      const { status } = await services.call(name, 'GET', '/health/ready', undefined, DEPENDENCY_CHECK_TIMEOUT_MS);
      if (status !== 200) throw new Error(`${name} /health/ready answered ${status}`);
    },
  }));
}

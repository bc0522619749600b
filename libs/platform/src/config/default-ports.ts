import type { ServiceName } from './abaxus-config';

/** The processes of distributed mode: the gateway and the six services (folder names under apps/). */
export type ProcessName = 'api-gateway' | ServiceName;

/**
 * The port each process listens on unless PORT says otherwise, defined once: the standalone apps
 * and the embedded engine's gateway take theirs from here. docker-compose.yml and the Helm chart
 * write the same ports out; libs/platform/src/deployment checks that they agree with this map.
 */
export const DEFAULT_PORTS: Readonly<Record<ProcessName, number>> = {
  'api-gateway': 3000,
  catalog: 3001,
  ingestion: 3002,
  aggregation: 3003,
  pricing: 3004,
  invoicing: 3005,
  notifications: 3006,
};

// @abaxus/sdk: a typed TypeScript client of the ABAXUS API, generated from docs/openapi.yaml.
export { AbaxusClient, DEFAULT_BASE_URL } from './abaxus-client';
export type { AbaxusClientOptions, RequestOptions, RetryNotice } from './abaxus-client';
export { AbaxusApiError, AbaxusConnectionError, AbaxusError } from './errors';
export { EventBatcher } from './event-batcher';
export type { EventBatcherOptions, EventResult } from './event-batcher';
export { backoffDelay, DEFAULT_RETRY_POLICY } from './retry';
export type { RetryPolicy } from './retry';
export type * from './types';
export type { components, operations, paths } from './generated/openapi';

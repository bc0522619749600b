import { SchemaMigrations } from '@abaxus/platform/database/service-data-source';
import { IdempotencyKeys1700000000100 } from './1700000000100-idempotency-keys';
import { RenameHttpIdempotentRequests1700000000500 } from './1700000000500-rename-http-idempotent-requests';
import { RateLimitWindows1700000000600 } from './1700000000600-rate-limit-windows';

/** The gateway's schema and its migrations, oldest first (run at start-up and by apps/migrate). */
export const GATEWAY_SCHEMA_MIGRATIONS: SchemaMigrations = {
  schema: 'gateway',
  migrations: [IdempotencyKeys1700000000100, RenameHttpIdempotentRequests1700000000500, RateLimitWindows1700000000600],
};

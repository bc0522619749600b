import { SchemaMigrations } from '@abaxus/platform/database/service-data-source';
import { AGGREGATION_SCHEMA_MIGRATIONS } from '@abaxus/services/aggregation/migrations/aggregation-schema-migrations';
import { GATEWAY_SCHEMA_MIGRATIONS } from '@abaxus/services/api-gateway/migrations/gateway-schema-migrations';
import { CATALOG_SCHEMA_MIGRATIONS } from '@abaxus/services/catalog/migrations/catalog-schema-migrations';
import { INGESTION_SCHEMA_MIGRATIONS } from '@abaxus/services/ingestion/migrations/ingestion-schema-migrations';
import { INVOICING_SCHEMA_MIGRATIONS } from '@abaxus/services/invoicing/migrations/invoicing-schema-migrations';
import { NOTIFICATIONS_SCHEMA_MIGRATIONS } from '@abaxus/services/notifications/migrations/notifications-schema-migrations';
import { PRICING_SCHEMA_MIGRATIONS } from '@abaxus/services/pricing/migrations/pricing-schema-migrations';

/**
 * The schema of each process of distributed mode with its migrations — the same lists each service
 * applies at start-up. apps/migrate applies them all (the chart's pre-install/pre-upgrade Job).
 */
export const SCHEMA_MIGRATIONS: readonly SchemaMigrations[] = [
  GATEWAY_SCHEMA_MIGRATIONS,
  CATALOG_SCHEMA_MIGRATIONS,
  INGESTION_SCHEMA_MIGRATIONS,
  AGGREGATION_SCHEMA_MIGRATIONS,
  PRICING_SCHEMA_MIGRATIONS,
  INVOICING_SCHEMA_MIGRATIONS,
  NOTIFICATIONS_SCHEMA_MIGRATIONS,
];

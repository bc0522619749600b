import { SchemaMigrations } from '@abaxus/platform/database/service-data-source';
import { catalogCopyMigration } from '@abaxus/usage-events/catalog-copy/catalog-copy.migration';
import { catalogCopyDimensionsMigration } from '@abaxus/usage-events/catalog-copy/catalog-copy-dimensions.migration';
import { UsageStore1710000000300 } from './1710000000300-usage-store';
import { RenameUsageEventKeys1710000000400 } from './1710000000400-rename-usage-event-keys';
import { DeadLetterOutbox1710000000500 } from './1710000000500-dead-letter-outbox';
import { UsageHourlyDimensions1710000000710 } from './1710000000710-usage-hourly-dimensions';
import { UsageDailyRollups1710000000800 } from './1710000000800-usage-daily-rollups';

/** Aggregation's schema and its migrations, oldest first (run at start-up and by apps/migrate). */
export const AGGREGATION_SCHEMA_MIGRATIONS: SchemaMigrations = {
  schema: 'aggregation',
  migrations: [
    catalogCopyMigration('aggregation'),
    UsageStore1710000000300,
    RenameUsageEventKeys1710000000400,
    DeadLetterOutbox1710000000500,
    catalogCopyDimensionsMigration('aggregation'),
    UsageHourlyDimensions1710000000710,
    UsageDailyRollups1710000000800,
  ],
};

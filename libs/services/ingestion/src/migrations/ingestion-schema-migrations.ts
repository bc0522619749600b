import { SchemaMigrations } from '@abaxus/platform/database/service-data-source';
import { catalogCopyMigration } from '@abaxus/usage-events/catalog-copy/catalog-copy.migration';
import { catalogCopyDimensionsMigration } from '@abaxus/usage-events/catalog-copy/catalog-copy-dimensions.migration';

/** Ingestion's schema and its migrations, oldest first (run at start-up and by apps/migrate). */
export const INGESTION_SCHEMA_MIGRATIONS: SchemaMigrations = {
  schema: 'ingestion',
  migrations: [catalogCopyMigration('ingestion'), catalogCopyDimensionsMigration('ingestion')],
};

import { SchemaMigrations } from '@abaxus/platform/database/service-data-source';
import { InvoicingSchema1700000006000 } from './1700000006000-invoicing-schema';

/** Invoicing's schema and its migrations, oldest first (run at start-up and by apps/migrate). */
export const INVOICING_SCHEMA_MIGRATIONS: SchemaMigrations = { schema: 'invoicing', migrations: [InvoicingSchema1700000006000] };

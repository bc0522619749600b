import { SchemaMigrations } from '@abaxus/platform/database/service-data-source';
import { PricingCalculations1700000005000 } from './1700000005000-pricing-calculations';

/** Pricing's schema and its migrations, oldest first (run at start-up and by apps/migrate). */
export const PRICING_SCHEMA_MIGRATIONS: SchemaMigrations = { schema: 'pricing', migrations: [PricingCalculations1700000005000] };

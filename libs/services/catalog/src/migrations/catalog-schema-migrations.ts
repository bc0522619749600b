import { SchemaMigrations } from '@abaxus/platform/database/service-data-source';
import { CatalogSchema1700000001000 } from './1700000001000-catalog-schema';
import { CatalogBillingCycles1700000001100 } from './1700000001100-billing-cycles';
import { CatalogWeightedSumMetrics1700000001200 } from './1700000001200-weighted-sum-metrics';
import { CatalogMetricDimensions1700000001300 } from './1700000001300-metric-dimensions';
import { CustomerAddressTaxId1700000001500 } from './1700000001500-customer-address-tax-id';
import { CatalogSubscriptionPhases1700000001600 } from './1700000001600-subscription-phases';

/** The catalog's schema and its migrations, oldest first (run at start-up and by apps/migrate). */
export const CATALOG_SCHEMA_MIGRATIONS: SchemaMigrations = {
  schema: 'catalog',
  migrations: [
    CatalogSchema1700000001000,
    CatalogBillingCycles1700000001100,
    CatalogWeightedSumMetrics1700000001200,
    CatalogMetricDimensions1700000001300,
    CustomerAddressTaxId1700000001500,
    CatalogSubscriptionPhases1700000001600,
  ],
};

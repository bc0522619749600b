import { DynamicModule } from '@nestjs/common';
import { AggregationAppModule } from '@abaxus/aggregation/aggregation-app.module';
import { CatalogAppModule } from '@abaxus/catalog/catalog-app.module';
import { IngestionAppModule } from '@abaxus/ingestion/ingestion-app.module';
import { InvoicingAppModule } from '@abaxus/invoicing/invoicing-app.module';
import { ServiceName } from '@abaxus/platform/config/abaxus-config';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { PricingAppModule } from '@abaxus/pricing/pricing-app.module';

/** The root module of each service, as the embedded engine hosts them in one process. */
export const SERVICE_MODULES: Record<ServiceName, (runtime: ServiceRuntime) => DynamicModule> = {
  catalog: (runtime) => CatalogAppModule.forRoot(runtime),
  ingestion: (runtime) => IngestionAppModule.forRoot(runtime),
  aggregation: (runtime) => AggregationAppModule.forRoot(runtime),
  pricing: (runtime) => PricingAppModule.forRoot(runtime),
  invoicing: (runtime) => InvoicingAppModule.forRoot(runtime),
};

import { DynamicModule } from '@nestjs/common';
import { AggregationAppModule } from '@abaxus/services/aggregation/aggregation-app.module';
import { CatalogAppModule } from '@abaxus/services/catalog/catalog-app.module';
import { IngestionAppModule } from '@abaxus/services/ingestion/ingestion-app.module';
import { InvoicingAppModule } from '@abaxus/services/invoicing/invoicing-app.module';
import { NotificationsAppModule } from '@abaxus/services/notifications/notifications-app.module';
import { ServiceName } from '@abaxus/platform/config/abaxus-config';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { PricingAppModule } from '@abaxus/services/pricing/pricing-app.module';

/** The root module of each service, as the embedded engine hosts them in one process. */
export const SERVICE_MODULES: Record<ServiceName, (runtime: ServiceRuntime) => DynamicModule> = {
  catalog: (runtime) => CatalogAppModule.forRoot(runtime),
  ingestion: (runtime) => IngestionAppModule.forRoot(runtime),
  aggregation: (runtime) => AggregationAppModule.forRoot(runtime),
  pricing: (runtime) => PricingAppModule.forRoot(runtime),
  invoicing: (runtime) => InvoicingAppModule.forRoot(runtime),
  notifications: (runtime) => NotificationsAppModule.forRoot(runtime),
};

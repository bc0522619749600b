import { DynamicModule, Module } from '@nestjs/common';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { CatalogTransactions } from './catalog-events/catalog-transactions';
import { CatalogLookupController } from './customers/catalog-lookup.controller';
import { CustomersController } from './customers/customers.controller';
import { CustomersRepository } from './customers/customers.repository';
import { CustomersService } from './customers/customers.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsRepository } from './metrics/metrics.repository';
import { MetricsService } from './metrics/metrics.service';
import { CATALOG_SCHEMA_MIGRATIONS } from './migrations/catalog-schema-migrations';
import { PricePlansController } from './price-plans/price-plans.controller';
import { PricePlansRepository } from './price-plans/price-plans.repository';
import { PricePlansService } from './price-plans/price-plans.service';
import { SubscriptionTime } from './subscriptions/subscription-time';
import { InvoicedUntilClient } from './subscriptions/invoiced-until.client';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { SubscriptionsRepository } from './subscriptions/subscriptions.repository';
import { SubscriptionsService } from './subscriptions/subscriptions.service';

/**
 * The catalog: metrics, versioned price plans, customers and subscriptions. Every change is
 * published as a catalog event through a transactional outbox.
 */
@Module({})
export class CatalogAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: CatalogAppModule,
      imports: [ServicePlatformModule.forService(runtime, { name: 'catalog', ...CATALOG_SCHEMA_MIGRATIONS, entities: [] })],
      controllers: [MetricsController, PricePlansController, CustomersController, SubscriptionsController, CatalogLookupController],
      providers: [
        ServiceOutbox.provider('catalog.outbox'),
        CatalogTransactions,
        MetricsRepository,
        MetricsService,
        PricePlansRepository,
        PricePlansService,
        CustomersRepository,
        CustomersService,
        SubscriptionsRepository,
        SubscriptionsService,
        SubscriptionTime,
        InvoicedUntilClient,
      ],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { CatalogCopyModule } from '@abaxus/usage-events/catalog-copy/catalog-copy.module';
import { UsageEventValidator } from '@abaxus/usage-events/usage-event-validator';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { AGGREGATION_SCHEMA_MIGRATIONS } from './migrations/aggregation-schema-migrations';
import { UsageController, UsageInProcessRoutes } from './usage-queries/usage.controller';
import { UsageQueryRepository } from './usage-queries/usage-query.repository';
import { UsageService } from './usage-queries/usage.service';
import { BackfillController } from './usage-ingest/backfill.controller';
import { BillingUsageController } from './usage-queries/billing-usage.controller';
import { BackfillService } from './usage-ingest/backfill.service';
import { AGGREGATION_OUTBOX } from './usage-ingest/dead-letters';
import { UsageEventWriter } from './usage-ingest/usage-event-writer.service';
import { UsageEventsConsumer } from './usage-ingest/usage-events.consumer';
import { UsageStoreRepository } from './usage-ingest/usage-store.repository';
import { UsageStreamService } from './usage-ingest/usage-stream.service';

/**
 * The aggregation service owns the events store: it consumes the usage topic (exactly-once effect),
 * takes backfills, and answers usage summaries, histograms and exact computations.
 * usage-ingest/ writes the store (topic consumer, backfill), usage-queries/ reads it, and
 * hourly-buckets/ holds the bucket keys and states both sides agree on.
 */
@Module({})
export class AggregationAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: AggregationAppModule,
      imports: [
        ServicePlatformModule.forService(runtime, { name: 'aggregation', ...AGGREGATION_SCHEMA_MIGRATIONS, entities: [] }),
        CatalogCopyModule.forSchema('aggregation'),
      ],
      controllers: [UsageController, BillingUsageController, BackfillController],
      providers: [
        UsageEventValidator,
        UsageStoreRepository,
        UsageEventWriter,
        ServiceOutbox.provider(AGGREGATION_OUTBOX),
        UsageStreamService,
        UsageEventsConsumer,
        BackfillService,
        UsageQueryRepository,
        UsageService,
        UsageInProcessRoutes,
      ],
    };
  }
}

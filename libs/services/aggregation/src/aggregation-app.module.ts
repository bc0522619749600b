import { DynamicModule, Module } from '@nestjs/common';
import { CatalogCopyModule } from '@abaxus/usage-events/catalog-copy/catalog-copy.module';
import { UsageEventValidator } from '@abaxus/usage-events/usage-event-validator';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { catalogCopyMigration } from '@abaxus/usage-events/catalog-copy/catalog-copy.migration';
import { UsageStore1710000000300 } from './migrations/1710000000300-usage-store';
import { RenameUsageEventKeys1710000000400 } from './migrations/1710000000400-rename-usage-event-keys';
import { UsageController } from './usage-queries/usage.controller';
import { UsageQueryRepository } from './usage-queries/usage-query.repository';
import { UsageService } from './usage-queries/usage.service';
import { BackfillController } from './usage-ingest/backfill.controller';
import { BillingUsageController } from './usage-queries/billing-usage.controller';
import { BackfillService } from './usage-ingest/backfill.service';
import { DeadLetterPublisher } from './usage-ingest/dead-letter.publisher';
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
        ServicePlatformModule.forService(runtime, {
          name: 'aggregation',
          schema: 'aggregation',
          entities: [],
          migrations: [catalogCopyMigration('aggregation'), UsageStore1710000000300, RenameUsageEventKeys1710000000400],
        }),
        CatalogCopyModule.forSchema('aggregation'),
      ],
      controllers: [UsageController, BillingUsageController, BackfillController],
      providers: [
        UsageEventValidator,
        UsageStoreRepository,
        UsageEventWriter,
        DeadLetterPublisher,
        UsageStreamService,
        UsageEventsConsumer,
        BackfillService,
        UsageQueryRepository,
        UsageService,
      ],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { CatalogCopyModule } from '@abaxus/usage-events/catalog-copy/catalog-copy.module';
import { UsageEventValidator } from '@abaxus/usage-events/usage-event-validator';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { catalogCopyMigration } from '@abaxus/usage-events/catalog-copy/catalog-copy.migration';
import { UsageStore1710000000300 } from './migrations/1710000000300-usage-store';
import { UsageController } from './usage/usage.controller';
import { UsageQueryRepository } from './usage/usage-query.repository';
import { UsageService } from './usage/usage.service';
import { BackfillController } from './usage-events/backfill.controller';
import { BillingUsageController } from './usage/billing-usage.controller';
import { BackfillService } from './usage-events/backfill.service';
import { DeadLetterPublisher } from './usage-events/dead-letter.publisher';
import { UsageEventWriter } from './usage-events/usage-event-writer.service';
import { UsageEventsConsumer } from './usage-events/usage-events.consumer';
import { UsageStoreRepository } from './usage-events/usage-store.repository';
import { UsageStreamService } from './usage-events/usage-stream.service';

/**
 * The aggregation service owns the events store: it consumes the usage topic (exactly-once effect),
 * takes backfills, and answers usage summaries, histograms and exact computations.
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
          migrations: [catalogCopyMigration('aggregation'), UsageStore1710000000300],
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

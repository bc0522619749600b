import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { CatalogCopyModule } from '@abaxus/usage-events/catalog-copy/catalog-copy.module';
import { EventsController, EventsInProcessRoutes } from './events/events.controller';
import { EventsService } from './events/events.service';
import { UsageEventPublisher } from './events/usage-event.publisher';
import { UsageEventValidator } from '@abaxus/usage-events/usage-event-validator';
import { INGESTION_SCHEMA_MIGRATIONS } from './migrations/ingestion-schema-migrations';

@Module({})
export class IngestionAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: IngestionAppModule,
      imports: [
        ServicePlatformModule.forService(runtime, { name: 'ingestion', ...INGESTION_SCHEMA_MIGRATIONS, entities: [] }),
        CatalogCopyModule.forSchema('ingestion'),
      ],
      controllers: [EventsController],
      providers: [UsageEventValidator, UsageEventPublisher, EventsService, EventsInProcessRoutes],
    };
  }
}

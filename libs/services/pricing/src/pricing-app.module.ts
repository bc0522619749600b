import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';
import { CalculationsController, PricingPreviewController } from './calculations/calculations.controller';
import { CalculationsRepository } from './calculations/calculations.repository';
import { CalculationsService } from './calculations/calculations.service';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { PRICING_SCHEMA_MIGRATIONS } from './migrations/pricing-schema-migrations';
import { UsageClient } from './usage/usage.client';

@Module({})
export class PricingAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: PricingAppModule,
      imports: [ServicePlatformModule.forService(runtime, { name: 'pricing', ...PRICING_SCHEMA_MIGRATIONS })],
      controllers: [CalculationsController, PricingPreviewController],
      providers: [CatalogClient, UsageClient, CalculationsRepository, CalculationsService],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';

@Module({})
export class PricingAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: PricingAppModule,
      imports: [ServicePlatformModule.forService(runtime, { name: 'pricing', schema: 'pricing', entities: [], migrations: [] })],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';

@Module({})
export class AggregationAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: AggregationAppModule,
      imports: [ServicePlatformModule.forService(runtime, { name: 'aggregation', schema: 'aggregation', entities: [], migrations: [] })],
    };
  }
}

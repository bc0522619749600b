import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';

@Module({})
export class IngestionAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: IngestionAppModule,
      imports: [ServicePlatformModule.forService(runtime, { name: 'ingestion', schema: 'ingestion', entities: [], migrations: [] })],
    };
  }
}

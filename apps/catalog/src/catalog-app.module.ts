import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';

@Module({})
export class CatalogAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: CatalogAppModule,
      imports: [ServicePlatformModule.forService(runtime, { name: 'catalog', schema: 'catalog', entities: [], migrations: [] })],
    };
  }
}

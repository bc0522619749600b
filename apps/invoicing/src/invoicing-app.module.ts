import { DynamicModule, Module } from '@nestjs/common';
import { ServicePlatformModule } from '@abaxus/platform/service/service-platform.module';
import { ServiceRuntime } from '@abaxus/platform/service/service-runtime';

@Module({})
export class InvoicingAppModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: InvoicingAppModule,
      imports: [ServicePlatformModule.forService(runtime, { name: 'invoicing', schema: 'invoicing', entities: [], migrations: [] })],
    };
  }
}

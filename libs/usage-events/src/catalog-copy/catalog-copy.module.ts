import { DynamicModule, Module } from '@nestjs/common';
import { CatalogCopyConsumer } from './catalog-copy.consumer';
import { CATALOG_COPY_SCHEMA, CatalogCopyRepository } from './catalog-copy.repository';
import { CatalogCopyService } from './catalog-copy.service';

/**
 * The catalog read copy for a service that validates usage events; its tables live in that
 * service's schema (each service creates them in its own migration).
 */
@Module({})
export class CatalogCopyModule {
  static forSchema(schema: string): DynamicModule {
    return {
      module: CatalogCopyModule,
      providers: [{ provide: CATALOG_COPY_SCHEMA, useValue: schema }, CatalogCopyRepository, CatalogCopyService, CatalogCopyConsumer],
      exports: [CatalogCopyService],
    };
  }
}

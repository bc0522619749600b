import 'reflect-metadata';
import { runStandaloneService } from '@abaxus/platform/service/run-standalone-service';
import { CatalogAppModule } from '@abaxus/services/catalog/catalog-app.module';

void runStandaloneService('catalog', (runtime) => CatalogAppModule.forRoot(runtime));

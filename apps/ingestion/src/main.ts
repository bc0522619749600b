import 'reflect-metadata';
import { runStandaloneService } from '@abaxus/platform/service/run-standalone-service';
import { IngestionAppModule } from '@abaxus/services/ingestion/ingestion-app.module';

void runStandaloneService('ingestion', (runtime) => IngestionAppModule.forRoot(runtime));

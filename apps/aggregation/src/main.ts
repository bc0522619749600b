import 'reflect-metadata';
import { runStandaloneService } from '@abaxus/platform/service/run-standalone-service';
import { AggregationAppModule } from '@abaxus/services/aggregation/aggregation-app.module';

void runStandaloneService('aggregation', (runtime) => AggregationAppModule.forRoot(runtime));

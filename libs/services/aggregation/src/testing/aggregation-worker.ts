import 'reflect-metadata';
import { runServiceWorker } from '@abaxus/platform/testing/service-worker-process';
import { AggregationAppModule } from '../aggregation-app.module';

/** The aggregation service alone in a child process (crash tests, the scaling bench); see runServiceWorker. */
runServiceWorker((runtime) => AggregationAppModule.forRoot(runtime));

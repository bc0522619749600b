import 'reflect-metadata';
import { runStandaloneService } from '@abaxus/platform/service/run-standalone-service';
import { PricingAppModule } from '@abaxus/services/pricing/pricing-app.module';

void runStandaloneService('pricing', (runtime) => PricingAppModule.forRoot(runtime));

import 'reflect-metadata';
import { runStandaloneService } from '@abaxus/platform/service/run-standalone-service';
import { InvoicingAppModule } from '@abaxus/services/invoicing/invoicing-app.module';

void runStandaloneService('invoicing', (runtime) => InvoicingAppModule.forRoot(runtime));

import 'reflect-metadata';
import { runStandaloneService } from '@abaxus/platform/service/run-standalone-service';
import { NotificationsAppModule } from '@abaxus/services/notifications/notifications-app.module';

void runStandaloneService('notifications', (runtime) => NotificationsAppModule.forRoot(runtime));

import 'reflect-metadata';
import { runServiceWorker } from '@abaxus/platform/testing/service-worker-process';
import { NotificationsAppModule } from '../notifications-app.module';

/** The notifications service alone in a child process (crash tests); see runServiceWorker. */
runServiceWorker((runtime) => NotificationsAppModule.forRoot(runtime));

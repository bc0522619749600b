import 'reflect-metadata';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
import { startHttpApp } from '@abaxus/platform/service/start-service-app';
import { NotificationsAppModule } from '../notifications-app.module';

/**
 * The notifications service alone in a child process, for crash tests: configured from the
 * environment (DATABASE_URL, KAFKA_BROKERS or none for the embedded bus, ABAXUS_TOPIC_PREFIX),
 * listening on a free loopback port that it reports to the parent over IPC once started.
 */
async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required');
  const runtime = { config, databaseUrl: config.databaseUrl, directory: new ServiceDirectory(config.serviceUrls) };
  const { app, url } = await startHttpApp(NotificationsAppModule.forRoot(runtime), { port: 0, host: '127.0.0.1' });
  app.enableShutdownHooks();
  process.send?.({ url });
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});

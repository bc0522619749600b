import 'reflect-metadata';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
import { startHttpApp } from '@abaxus/platform/service/start-service-app';
import { AggregationAppModule } from '../aggregation-app.module';

/**
 * The aggregation service alone in a child process, for crash tests: configured from the
 * environment (DATABASE_URL, KAFKA_BROKERS, ABAXUS_TOPIC_PREFIX, CATALOG_URL), listening on a
 * free loopback port that it reports to the parent over IPC once its consumer is subscribed.
 */
async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required');
  const runtime = { config, databaseUrl: config.databaseUrl, directory: new ServiceDirectory(config.serviceUrls) };
  const { app, url } = await startHttpApp(AggregationAppModule.forRoot(runtime), { port: 0, host: '127.0.0.1' });
  app.enableShutdownHooks();
  // A "stop" message closes the app and exits normally (lets --cpu-prof write its profile).
  process.on('message', (message) => {
    if (message === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send?.({ url });
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});

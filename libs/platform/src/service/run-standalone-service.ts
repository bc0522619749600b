import { DynamicModule, Logger } from '@nestjs/common';
import { loadConfig, ServiceName } from '../config/abaxus-config';
import { ServiceDirectory } from './service-directory';
import { ServiceRuntime } from './service-runtime';
import { startHttpApp } from './start-service-app';

/**
 * Distributed mode: one service in its own process against DATABASE_URL and KAFKA_BROKERS.
 * PORT defaults per service so a laptop can run them side by side.
 */
export async function runStandaloneService(name: ServiceName, moduleFor: (runtime: ServiceRuntime) => DynamicModule, defaultPort: number): Promise<void> {
  const logger = new Logger(name);
  let config;
  try {
    config = loadConfig({ PORT: String(defaultPort), HOST: '0.0.0.0', ...process.env });
  } catch (error) {
    logger.error((error as Error).message);
    process.exit(1);
  }
  if (!config.databaseUrl || !config.kafkaBrokers) {
    logger.error('A standalone service needs DATABASE_URL and KAFKA_BROKERS (the embedded engine is `npm start`).');
    process.exit(1);
  }
  const runtime: ServiceRuntime = { config, databaseUrl: config.databaseUrl, directory: new ServiceDirectory(config.serviceUrls) };
  const { app, url } = await startHttpApp(moduleFor(runtime), { port: config.port, host: config.host });
  app.enableShutdownHooks();
  logger.log(`${name} service listening on ${config.host}:${new URL(url).port}`);
}

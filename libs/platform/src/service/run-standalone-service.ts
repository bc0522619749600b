import { DynamicModule, Logger } from '@nestjs/common';
import { loadConfig, ServiceName } from '../config/abaxus-config';
import { DEFAULT_PORTS } from '../config/default-ports';
import { ServiceDirectory } from './service-directory';
import { ServiceRuntime } from './service-runtime';
import { startHttpApp } from './start-service-app';

/**
 * Distributed mode: one service in its own process against DATABASE_URL and KAFKA_BROKERS.
 * PORT defaults per service (DEFAULT_PORTS) so a laptop can run them side by side.
 */
export async function runStandaloneService(name: ServiceName, moduleFor: (runtime: ServiceRuntime) => DynamicModule): Promise<void> {
  const logger = new Logger(name);
  let config;
  try {
    config = loadConfig({ PORT: String(DEFAULT_PORTS[name]), HOST: '0.0.0.0', ...process.env });
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

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
import { startGateway } from '@abaxus/services/api-gateway/gateway-server';

/** Distributed mode: the gateway alone, reaching the services at their *_URL addresses. */
async function main(): Promise<void> {
  const logger = new Logger('api-gateway');
  let config;
  try {
    config = loadConfig({ HOST: process.env.ABAXUS_API_KEYS ? '0.0.0.0' : '127.0.0.1', ...process.env });
  } catch (error) {
    logger.error((error as Error).message);
    process.exit(1);
  }
  if (!config.databaseUrl || !config.kafkaBrokers) {
    logger.error('The standalone gateway needs DATABASE_URL and KAFKA_BROKERS (the embedded engine is `npm start`).');
    process.exit(1);
  }
  const { app, url } = await startGateway({ config, databaseUrl: config.databaseUrl, directory: new ServiceDirectory(config.serviceUrls) });
  app.enableShutdownHooks();
  if (config.apiKeys.length === 0) logger.warn(`NO API KEYS CONFIGURED: the API is open to anyone who can reach ${url} (loopback only). Set ABAXUS_API_KEYS.`);
  logger.log(`api-gateway listening on ${url}`);
}

void main();

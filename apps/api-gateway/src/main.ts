import 'reflect-metadata';
import { missingForDistributedMode } from '@abaxus/platform/config/abaxus-config';
import { configureProcess, exitOnStartFailure } from '@abaxus/platform/service/entry-point';
import { rootLogger } from '@abaxus/platform/logging/process-logger';
import { ServiceDirectory } from '@abaxus/platform/service/service-directory';
import { startGateway } from '@abaxus/services/api-gateway/gateway-server';

/** Distributed mode: the gateway alone, reaching the services at their *_URL addresses with ABAXUS_INTERNAL_TOKEN; JSON log lines. */
async function main(): Promise<void> {
  const config = configureProcess('api-gateway', 'json', { HOST: process.env.ABAXUS_API_KEYS ? '0.0.0.0' : '127.0.0.1', ...process.env });
  if (!config.databaseUrl || !config.kafkaBrokers || !config.internalToken) {
    return exitOnStartFailure(
      `the standalone gateway needs ${missingForDistributedMode(config).join(', ')} (ABAXUS_INTERNAL_TOKEN: the services' shared secret, which it sends on every call to them; the embedded engine is \`npm start\`).`,
    );
  }
  const directory = new ServiceDirectory(config.serviceUrls, config.internalToken);
  const { app, url } = await startGateway({ config, databaseUrl: config.databaseUrl, directory });
  app.enableShutdownHooks();
  const logger = rootLogger();
  if (config.apiKeys.length === 0) logger.warn(`NO API KEYS CONFIGURED: the API is open to anyone who can reach ${url} (loopback only). Set ABAXUS_API_KEYS.`);
  logger.info(`operator console at ${url}/console`);
  logger.info(`api-gateway listening on ${url} — API docs at ${url}/docs`);
}

main().catch(exitOnStartFailure);

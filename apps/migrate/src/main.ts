import 'reflect-metadata';
import { migrateSchemas } from '@abaxus/platform/database/service-data-source';
import { rootLogger } from '@abaxus/platform/logging/process-logger';
import { configureProcess, exitOnStartFailure } from '@abaxus/platform/service/entry-point';
import { SCHEMA_MIGRATIONS } from '@abaxus/engine-runtime/schema-migrations';

/**
 * Applies every schema's pending migrations against DATABASE_URL, then exits (0 when all applied):
 * the chart's pre-install/pre-upgrade Job. Each schema under its advisory lock, so a service starting
 * meanwhile waits; services still migrate at start-up (compose, `npm start`) and find nothing left.
 */
async function main(): Promise<void> {
  const config = configureProcess('migrate', 'json');
  if (!config.databaseUrl) exitOnStartFailure('migrate needs DATABASE_URL (the PostgreSQL database of the deployment).');
  const logger = rootLogger();
  const started = Date.now();
  const results = await migrateSchemas(config.databaseUrl, SCHEMA_MIGRATIONS, 'abaxus-migrate');
  for (const { schema, applied } of results)
    logger.info({ schema, applied }, applied.length > 0 ? `${schema}: applied ${applied.join(', ')}` : `${schema}: up to date`);
  logger.info(`${results.length} schemas migrated in ${Date.now() - started} ms`);
}

main().catch(exitOnStartFailure);

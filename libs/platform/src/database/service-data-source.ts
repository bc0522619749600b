import { DataSource, DataSourceOptions, EntitySchema, MigrationExecutor, MixedList } from 'typeorm';

export interface ServiceDatabaseOptions {
  url: string;
  /** Each service owns one PostgreSQL schema; no service reads another's tables. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
  poolSize?: number;
  applicationName?: string;
}

/**
 * How long getting a connection may take (a new one, or a free one from the pool) before the
 * request fails as database_unavailable (503): a database that swallows packets must not hang requests.
 */
export const DATABASE_CONNECT_TIMEOUT_MS = 30_000;

export function serviceDataSourceOptions(options: ServiceDatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    applicationName: options.applicationName ?? `abaxus-${options.schema}`,
    connectTimeoutMS: DATABASE_CONNECT_TIMEOUT_MS,
    extra: { max: options.poolSize ?? 8 },
  };
}

/**
 * Opens the service's data source and applies its migrations. A transaction-scoped advisory
 * lock per schema keeps two replicas starting together from migrating at once.
 */
export async function openServiceDatabase(options: ServiceDatabaseOptions): Promise<DataSource> {
  const dataSource = new DataSource(serviceDataSourceOptions(options));
  await dataSource.initialize();
  try {
    await migrateServiceSchema(dataSource, options.schema);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

export async function migrateServiceSchema(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`abaxus-migrate-${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      // On the connection holding the lock: a second pooled connection may not be free.
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      await executor.executePendingMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`abaxus-migrate-${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

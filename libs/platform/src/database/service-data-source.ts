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

/** A service's schema and the migrations that build it, oldest first. */
export interface SchemaMigrations {
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

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

/** Applies the schema's pending migrations under its advisory lock; answers the names it applied. */
export async function migrateServiceSchema(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`abaxus-migrate-${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      // On the connection holding the lock: a second pooled connection may not be free.
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const applied = await executor.executePendingMigrations();
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`abaxus-migrate-${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Applies the pending migrations of each schema, one after the other, on one connection each, then
 * closes them: what `apps/migrate` (the chart's pre-install/pre-upgrade Job) runs. Services still
 * migrate at start-up; after this they find nothing pending.
 */
export async function migrateSchemas(
  url: string,
  schemas: readonly SchemaMigrations[],
  applicationName: string,
): Promise<Array<{ schema: string; applied: string[] }>> {
  const results: Array<{ schema: string; applied: string[] }> = [];
  for (const { schema, migrations } of schemas) {
    const dataSource = new DataSource(serviceDataSourceOptions({ url, schema, migrations, poolSize: 1, applicationName }));
    await dataSource.initialize();
    try {
      results.push({ schema, applied: await migrateServiceSchema(dataSource, schema) });
    } finally {
      await dataSource.destroy();
    }
  }
  return results;
}

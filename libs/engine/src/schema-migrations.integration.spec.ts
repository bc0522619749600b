import { Client } from 'pg';
import { MigrationInterface } from 'typeorm';
import { migrateSchemas } from '@abaxus/platform/database/service-data-source';
import { createTestDatabase, TestDatabase } from '@abaxus/platform/testing/test-database';
import { SCHEMA_MIGRATIONS } from './schema-migrations';

/** TypeORM's name for a migration class: its `name` property, else the class name. */
function migrationNames(migrations: unknown): string[] {
  return (migrations as Array<new () => MigrationInterface>).map((Migration) => new Migration().name ?? Migration.name);
}

async function appliedMigrations(url: string): Promise<Record<string, string[]>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const applied: Record<string, string[]> = {};
    for (const { schema } of SCHEMA_MIGRATIONS) {
      const { rows } = await client.query<{ name: string }>(`SELECT name FROM "${schema}".schema_migrations ORDER BY id`);
      applied[schema] = rows.map((row) => row.name);
    }
    return applied;
  } finally {
    await client.end();
  }
}

describe('every schema migrated at once (apps/migrate, the chart’s migration Job)', () => {
  let database: TestDatabase;
  const expected = Object.fromEntries(SCHEMA_MIGRATIONS.map(({ schema, migrations }) => [schema, migrationNames(migrations)]));

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(() => database.drop());

  it('covers the seven processes, each in its own schema', () => {
    expect(SCHEMA_MIGRATIONS.map(({ schema }) => schema).sort()).toEqual([
      'aggregation',
      'catalog',
      'gateway',
      'ingestion',
      'invoicing',
      'notifications',
      'pricing',
    ]);
    for (const names of Object.values(expected)) expect(names.length).toBeGreaterThan(0);
  });

  it('applies every migration of every schema on a fresh database, then finds nothing left to apply', async () => {
    const first = await migrateSchemas(database.url, SCHEMA_MIGRATIONS, 'abaxus-migrate-spec');
    expect(Object.fromEntries(first.map(({ schema, applied }) => [schema, applied]))).toEqual(expected);
    expect(await appliedMigrations(database.url)).toEqual(expected);

    const second = await migrateSchemas(database.url, SCHEMA_MIGRATIONS, 'abaxus-migrate-spec');
    expect(second.map(({ schema, applied }) => [schema, applied])).toEqual(SCHEMA_MIGRATIONS.map(({ schema }) => [schema, []]));
  });

  it('applies each migration exactly once when two runs race (the Job and a pod starting meanwhile)', async () => {
    const [one, other] = await Promise.all([
      migrateSchemas(database.url, SCHEMA_MIGRATIONS, 'abaxus-migrate-spec-1'),
      migrateSchemas(database.url, SCHEMA_MIGRATIONS, 'abaxus-migrate-spec-2'),
    ]);
    for (const { schema } of SCHEMA_MIGRATIONS) {
      const applied = [...one.find((result) => result.schema === schema)!.applied, ...other.find((result) => result.schema === schema)!.applied];
      expect([schema, applied.sort()]).toEqual([schema, [...expected[schema]].sort()]);
    }
    expect(await appliedMigrations(database.url)).toEqual(expected);
  });
});

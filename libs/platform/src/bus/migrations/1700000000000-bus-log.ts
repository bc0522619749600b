import { MigrationInterface, QueryRunner } from 'typeorm';

/** The embedded bus: an append-only log per topic and each consumer group's committed position. */
export class BusLog1700000000000 implements MigrationInterface {
  name = 'BusLog1700000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE bus.topic_heads (
        topic text PRIMARY KEY,
        next_offset bigint NOT NULL DEFAULT 0
      )`);
    await runner.query(`
      CREATE TABLE bus.messages (
        topic text NOT NULL,
        "offset" bigint NOT NULL,
        key text,
        value text NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, "offset")
      )`);
    await runner.query(`
      CREATE TABLE bus.group_offsets (
        group_id text NOT NULL,
        topic text NOT NULL,
        next_offset bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, topic)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE bus.group_offsets');
    await runner.query('DROP TABLE bus.messages');
    await runner.query('DROP TABLE bus.topic_heads');
  }
}

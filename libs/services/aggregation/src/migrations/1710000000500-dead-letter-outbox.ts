import { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTableDdl } from '@abaxus/platform/bus/outbox-relay';

/**
 * The aggregation service's outbox: dead letters are written in the same transaction that moves
 * the consumer's position past their messages, so a crash can neither lose nor repeat them.
 */
export class DeadLetterOutbox1710000000500 implements MigrationInterface {
  name = 'DeadLetterOutbox1710000000500';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(outboxTableDdl('aggregation.outbox'));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE aggregation.outbox');
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface ConsumerPosition {
  groupId: string;
  topic: string;
  partition: number;
  /** The first offset not yet consumed (bigint as a decimal string). */
  nextOffset: string;
}

/**
 * How far each consumer of this service has recorded each partition: written in the same
 * transaction as what the messages produced, so a redelivered batch (the bus commits its own
 * position only afterwards) is recognised and produces nothing twice.
 */
@Injectable()
export class ConsumerPositionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async positionOf(groupId: string, topic: string, partition: number): Promise<bigint> {
    const rows: Array<{ next_offset: string }> = await this.dataSource.query(
      'SELECT next_offset FROM notifications.consumer_positions WHERE group_id = $1 AND topic = $2 AND partition = $3',
      [groupId, topic, partition],
    );
    return rows.length === 0 ? 0n : BigInt(rows[0].next_offset);
  }

  async save(manager: EntityManager, position: ConsumerPosition): Promise<void> {
    await manager.query(
      `INSERT INTO notifications.consumer_positions (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
       ON CONFLICT (group_id, topic, partition) DO UPDATE
       SET next_offset = GREATEST(notifications.consumer_positions.next_offset, EXCLUDED.next_offset), updated_at = now()`,
      [position.groupId, position.topic, position.partition, position.nextOffset],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { MetricRecord } from '@abaxus/contracts/catalog-events';

interface MetricRow {
  key: string;
  name: string;
  aggregation_type: MetricRecord['aggregation_type'];
  value_type: MetricRecord['value_type'];
  dimensions: string[];
  created_at: Date;
}

const COLUMNS = 'key, name, aggregation_type, value_type, dimensions, created_at';

function toRecord(row: MetricRow): MetricRecord {
  return {
    key: row.key,
    name: row.name,
    aggregation_type: row.aggregation_type,
    value_type: row.value_type,
    dimensions: row.dimensions,
    created_at: row.created_at.toISOString(),
  };
}

@Injectable()
export class MetricsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Undefined when the key exists already (metrics are immutable: never overwritten). */
  async insert(manager: EntityManager, metric: Omit<MetricRecord, 'created_at'>): Promise<MetricRecord | undefined> {
    const rows = (await manager.query(
      `INSERT INTO catalog.metrics (key, name, aggregation_type, value_type, dimensions) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (key) DO NOTHING RETURNING ${COLUMNS}`,
      [metric.key, metric.name, metric.aggregation_type, metric.value_type, metric.dimensions],
    )) as MetricRow[];
    return rows[0] && toRecord(rows[0]);
  }

  async find(key: string): Promise<MetricRecord | undefined> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM catalog.metrics WHERE key = $1`, [key])) as MetricRow[];
    return rows[0] && toRecord(rows[0]);
  }

  /** Newest first; undefined when the cursor names no metric. */
  async list(limit: number, startingAfter: string | undefined): Promise<MetricRecord[] | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM catalog.metrics
       WHERE $2::text IS NULL OR seq < (SELECT seq FROM catalog.metrics WHERE key = $2)
       ORDER BY seq DESC LIMIT $1`,
      [limit, startingAfter ?? null],
    )) as MetricRow[];
    if (startingAfter !== undefined && rows.length === 0 && !(await this.find(startingAfter))) return undefined;
    return rows.map(toRecord);
  }

  /** The metrics among `keys` that exist, with their dimensions. */
  async existingKeys(keys: string[]): Promise<Map<string, string[]>> {
    if (keys.length === 0) return new Map();
    const rows = (await this.dataSource.query('SELECT key, dimensions FROM catalog.metrics WHERE key = ANY($1::text[])', [keys])) as Array<{
      key: string;
      dimensions: string[];
    }>;
    return new Map(rows.map((row) => [row.key, row.dimensions]));
  }
}

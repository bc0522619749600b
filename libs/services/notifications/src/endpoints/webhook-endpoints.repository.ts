import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export type EndpointStatus = 'enabled' | 'disabled';

export interface EndpointRow {
  id: string;
  sequence: string;
  url: string;
  description: string | null;
  event_types: string[];
  status: EndpointStatus;
  disabled_reason: 'retries_exhausted' | 'requested' | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface EndpointChanges {
  url?: string;
  description?: string | null;
  eventTypes?: string[];
  status?: EndpointStatus;
}

const ENDPOINT_COLUMNS = 'id, sequence::text AS sequence, url, description, event_types, status, disabled_reason, disabled_at, created_at, updated_at';

/** The webhook endpoints. Their secrets are written once, sealed (EndpointSecretVault), and only read by the sender. */
@Injectable()
export class WebhookEndpointsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(endpoint: { id: string; url: string; description: string | null; eventTypes: string[]; sealedSecret: string; now: Date }): Promise<EndpointRow> {
    const rows: EndpointRow[] = await this.dataSource.query(
      `INSERT INTO notifications.webhook_endpoints (id, url, description, event_types, sealed_secret, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'enabled', $6, $6) RETURNING ${ENDPOINT_COLUMNS}`,
      [endpoint.id, endpoint.url, endpoint.description, endpoint.eventTypes, endpoint.sealedSecret, endpoint.now],
    );
    return rows[0];
  }

  async find(id: string): Promise<EndpointRow | undefined> {
    const rows: EndpointRow[] = await this.dataSource.query(`SELECT ${ENDPOINT_COLUMNS} FROM notifications.webhook_endpoints WHERE id = $1`, [id]);
    return rows[0];
  }

  async sequenceOf(id: string): Promise<string | undefined> {
    const rows: Array<{ sequence: string }> = await this.dataSource.query(
      'SELECT sequence::text AS sequence FROM notifications.webhook_endpoints WHERE id = $1',
      [id],
    );
    return rows[0]?.sequence;
  }

  /** Newest first; limit + 1 rows so the caller knows whether more exist. */
  async list(filter: { beforeSequence?: string; status?: EndpointStatus; limit: number }): Promise<EndpointRow[]> {
    return this.dataSource.query(
      `SELECT ${ENDPOINT_COLUMNS} FROM notifications.webhook_endpoints
       WHERE ($1::bigint IS NULL OR sequence < $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY sequence DESC LIMIT $3`,
      [filter.beforeSequence ?? null, filter.status ?? null, filter.limit + 1],
    );
  }

  /** Applies the changes given; enabling clears the reason it was disabled, disabling records "requested". */
  async update(id: string, changes: EndpointChanges, now: Date): Promise<EndpointRow | undefined> {
    const [rows]: [EndpointRow[], number] = await this.dataSource.query(
      `UPDATE notifications.webhook_endpoints SET
         url = coalesce($2, url),
         description = CASE WHEN $3 THEN $4 ELSE description END,
         event_types = coalesce($5, event_types),
         disabled_reason = CASE WHEN $6::text IS NULL OR $6 = status THEN disabled_reason WHEN $6 = 'disabled' THEN 'requested' ELSE NULL END,
         disabled_at = CASE WHEN $6::text IS NULL OR $6 = status THEN disabled_at WHEN $6 = 'disabled' THEN $7::timestamptz ELSE NULL END,
         status = coalesce($6, status),
         updated_at = $7
       WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
      [id, changes.url ?? null, changes.description !== undefined, changes.description ?? null, changes.eventTypes ?? null, changes.status ?? null, now],
    );
    return rows[0];
  }

  /** Deletes the endpoint with its deliveries and their attempts. */
  async delete(id: string): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.dataSource.query('DELETE FROM notifications.webhook_endpoints WHERE id = $1', [id]);
    return affected > 0;
  }
}

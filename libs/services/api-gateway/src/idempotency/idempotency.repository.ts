import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface StoredIdempotentRequest {
  requestHash: string;
  status: number | null;
  contentType: string | null;
  responseBody: string | null;
  expired: boolean;
}

/** The HTTP Idempotency-Key store (requests and their answers) lives in PostgreSQL, so every gateway replica sees the same keys. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Claims the key; false when another request holds it already. */
  async claim(scope: string, key: string, requestHash: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO gateway.http_idempotent_requests (scope, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [scope, key, requestHash],
    );
    return rows.length === 1;
  }

  async find(scope: string, key: string, ttlHours: number): Promise<StoredIdempotentRequest | undefined> {
    const rows: Array<{ request_hash: string; status: number | null; content_type: string | null; response_body: string | null; expired: boolean }> =
      await this.dataSource.query(
        `SELECT request_hash, status, content_type, response_body, created_at < now() - make_interval(hours => $3) AS expired
         FROM gateway.http_idempotent_requests WHERE scope = $1 AND key = $2`,
        [scope, key, ttlHours],
      );
    const row = rows[0];
    return row && { requestHash: row.request_hash, status: row.status, contentType: row.content_type, responseBody: row.response_body, expired: row.expired };
  }

  async complete(scope: string, key: string, status: number, contentType: string, responseBody: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE gateway.http_idempotent_requests SET status = $3, content_type = $4, response_body = $5, completed_at = now()
       WHERE scope = $1 AND key = $2`,
      [scope, key, status, contentType, responseBody],
    );
  }

  async release(scope: string, key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM gateway.http_idempotent_requests WHERE scope = $1 AND key = $2', [scope, key]);
  }

  async releaseIfExpired(scope: string, key: string, ttlHours: number): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM gateway.http_idempotent_requests WHERE scope = $1 AND key = $2 AND created_at < now() - make_interval(hours => $3)',
      [scope, key, ttlHours],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Request counters per key and fixed window in PostgreSQL, so that every gateway replica counts against one limit. */
@Injectable()
export class RateLimitRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Counts one request of the caller in the window and returns the window's count so far (one round trip). */
  async count(caller: string, windowStart: Date): Promise<number> {
    const rows: Array<{ requests: number }> = await this.dataSource.query(
      `INSERT INTO gateway.rate_limit_windows (caller, window_start, requests) VALUES ($1, $2, 1)
       ON CONFLICT (caller, window_start) DO UPDATE SET requests = gateway.rate_limit_windows.requests + 1
       RETURNING requests`,
      [caller, windowStart],
    );
    return rows[0].requests;
  }

  async forgetWindowsBefore(windowStart: Date): Promise<void> {
    await this.dataSource.query('DELETE FROM gateway.rate_limit_windows WHERE window_start < $1', [windowStart]);
  }
}

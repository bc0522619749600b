import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface AlertRow {
  id: string;
  sequence: string;
  customer_id: string;
  metric_key: string | null;
  threshold_kind: 'usage' | 'amount';
  threshold_value: string;
  threshold_currency: string | null;
  created_at: Date;
}

export interface AlertTriggerRow {
  alert_id: string;
  period_start: Date;
  period_end: Date;
  value: string;
  currency: string | null;
  event_id: string;
  triggered_at: Date;
}

/** An alert with the starts (epoch ms) of the periods it already fired in. */
export interface WatchedAlert extends AlertRow {
  triggeredPeriodStarts: Set<number>;
}

const ALERT_COLUMNS = 'id, sequence::text AS sequence, customer_id, metric_key, threshold_kind, threshold_value, threshold_currency, created_at';

@Injectable()
export class UsageAlertsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(alert: Omit<AlertRow, 'sequence'>): Promise<AlertRow> {
    const rows: AlertRow[] = await this.dataSource.query(
      `INSERT INTO notifications.usage_alerts (id, customer_id, metric_key, threshold_kind, threshold_value, threshold_currency, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${ALERT_COLUMNS}`,
      [alert.id, alert.customer_id, alert.metric_key, alert.threshold_kind, alert.threshold_value, alert.threshold_currency, alert.created_at],
    );
    return rows[0];
  }

  async find(id: string): Promise<AlertRow | undefined> {
    const rows: AlertRow[] = await this.dataSource.query(`SELECT ${ALERT_COLUMNS} FROM notifications.usage_alerts WHERE id = $1`, [id]);
    return rows[0];
  }

  async sequenceOf(id: string): Promise<string | undefined> {
    const rows: Array<{ sequence: string }> = await this.dataSource.query('SELECT sequence::text AS sequence FROM notifications.usage_alerts WHERE id = $1', [
      id,
    ]);
    return rows[0]?.sequence;
  }

  /** Newest first; limit + 1 rows so the caller knows whether more exist. */
  async list(filter: { customerId?: string; beforeSequence?: string; limit: number }): Promise<AlertRow[]> {
    return this.dataSource.query(
      `SELECT ${ALERT_COLUMNS} FROM notifications.usage_alerts
       WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::bigint IS NULL OR sequence < $2)
       ORDER BY sequence DESC LIMIT $3`,
      [filter.customerId ?? null, filter.beforeSequence ?? null, filter.limit + 1],
    );
  }

  async delete(id: string): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.dataSource.query('DELETE FROM notifications.usage_alerts WHERE id = $1', [id]);
    return affected > 0;
  }

  /** Newest period first. */
  async triggersOf(alertIds: string[]): Promise<AlertTriggerRow[]> {
    if (alertIds.length === 0) return [];
    return this.dataSource.query(
      `SELECT alert_id, period_start, period_end, value, currency, event_id, triggered_at FROM notifications.usage_alert_triggers
       WHERE alert_id = ANY ($1::text[]) ORDER BY period_start DESC`,
      [alertIds],
    );
  }

  /** The alerts of these customers, with the periods each already fired in. */
  async watchedBy(customerIds: string[]): Promise<WatchedAlert[]> {
    if (customerIds.length === 0) return [];
    const rows: Array<AlertRow & { triggered: Date[] }> = await this.dataSource.query(
      `SELECT a.id, a.sequence::text AS sequence, a.customer_id, a.metric_key, a.threshold_kind, a.threshold_value, a.threshold_currency, a.created_at,
         coalesce((SELECT array_agg(t.period_start) FROM notifications.usage_alert_triggers t WHERE t.alert_id = a.id), '{}') AS triggered
       FROM notifications.usage_alerts a WHERE a.customer_id = ANY ($1::text[])`,
      [customerIds],
    );
    return rows.map(({ triggered, ...alert }) => ({ ...alert, triggeredPeriodStarts: new Set(triggered.map((start) => new Date(start).getTime())) }));
  }

  /** Records that the alert fired in the period; false when it already had (the "once per period" rule). */
  async recordTrigger(manager: EntityManager, trigger: AlertTriggerRow): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO notifications.usage_alert_triggers (alert_id, period_start, period_end, value, currency, event_id, triggered_at)
       SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM notifications.usage_alerts WHERE id = $1)
       ON CONFLICT (alert_id, period_start) DO NOTHING RETURNING alert_id`,
      [trigger.alert_id, trigger.period_start, trigger.period_end, trigger.value, trigger.currency, trigger.event_id, trigger.triggered_at],
    );
    return rows.length > 0;
  }
}

import Big from 'big.js';
import { AlertThreshold, thresholdToJson } from '@abaxus/domain/alerts/usage-alert-threshold';
import type { AlertRow, AlertTriggerRow } from './usage-alerts.repository';

export interface AlertTriggerJson {
  period_start: string;
  period_end: string;
  /** The usage or amount measured when the alert fired. */
  value: string;
  currency: string | null;
  /** The usage.alert_triggered event sent to the webhook endpoints. */
  event_id: string;
  triggered_at: string;
}

export interface UsageAlertJson {
  id: string;
  customer_id: string;
  metric_key: string | null;
  threshold: Record<string, string>;
  filters: Record<string, never>;
  created_at: string;
  /** Every period the alert fired in, newest first (once per period at most). */
  triggers: AlertTriggerJson[];
}

export function thresholdOf(row: AlertRow): AlertThreshold {
  const value = new Big(row.threshold_value);
  return row.threshold_kind === 'usage' ? { kind: 'usage', value } : { kind: 'amount', value, currency: row.threshold_currency };
}

export function triggerToJson(row: AlertTriggerRow): AlertTriggerJson {
  return {
    period_start: row.period_start.toISOString(),
    period_end: row.period_end.toISOString(),
    value: row.value,
    currency: row.currency,
    event_id: row.event_id,
    triggered_at: row.triggered_at.toISOString(),
  };
}

export function alertToJson(row: AlertRow, triggers: AlertTriggerRow[]): UsageAlertJson {
  return {
    id: row.id,
    customer_id: row.customer_id,
    metric_key: row.metric_key,
    threshold: thresholdToJson(thresholdOf(row)),
    filters: {},
    created_at: row.created_at.toISOString(),
    triggers: triggers.map(triggerToJson),
  };
}

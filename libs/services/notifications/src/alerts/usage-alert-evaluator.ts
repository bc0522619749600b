import { Injectable } from '@nestjs/common';
import { formatDecimal } from '@abaxus/domain/money/decimal';
import { reachedThreshold, thresholdToJson } from '@abaxus/domain/alerts/usage-alert-threshold';
import { Clock } from '@abaxus/platform/time/clock';
import { WebhookEvent, webhookEventId } from '../webhook-events/webhook-event';
import { AlertMeasurements } from './alert-measurements';
import { thresholdOf } from './usage-alert-json';
import { AlertTriggerRow, UsageAlertsRepository, WatchedAlert } from './usage-alerts.repository';
import { periodsOf, TouchedPeriods } from './touched-periods';

/** An alert that reached its threshold in a period: the trigger to record and the event to send. */
export interface AlertFiring {
  trigger: AlertTriggerRow;
  event: WebhookEvent;
}

/**
 * Which alerts a batch of usage makes fire: those of the batch's customers (and metric, when the
 * alert names one) that have not fired yet in the periods the events fall in, and whose measured
 * usage or amount has reached the threshold. Periods that ended before an alert existed are not
 * looked at. Measuring asks other services over HTTP, so it runs before (never inside) the
 * transaction that records the firings.
 */
@Injectable()
export class UsageAlertEvaluator {
  constructor(
    private readonly alerts: UsageAlertsRepository,
    private readonly measurements: AlertMeasurements,
    private readonly clock: Clock,
  ) {}

  async firings(touched: TouchedPeriods): Promise<AlertFiring[]> {
    const watched = await this.alerts.watchedBy([...touched.keys()]);
    const firings: AlertFiring[] = [];
    for (const alert of watched) {
      const periods = periodsOf(touched, alert.customer_id, alert.metric_key).filter(
        (period) => !alert.triggeredPeriodStarts.has(period.start.getTime()) && period.end.getTime() > alert.created_at.getTime(),
      );
      for (const period of periods) {
        const firing = await this.evaluate(alert, period);
        if (firing) firings.push(firing);
      }
    }
    return firings;
  }

  private async evaluate(alert: WatchedAlert, period: { start: Date; end: Date }): Promise<AlertFiring | undefined> {
    const threshold = thresholdOf(alert);
    const reached =
      threshold.kind === 'usage'
        ? reachedThreshold(threshold, { usage: await this.measurements.usage(alert.customer_id, alert.metric_key!, period) })
        : reachedThreshold(threshold, { totals: await this.measurements.amounts(alert.customer_id, alert.metric_key, period) });
    if (!reached) return undefined;
    const now = this.clock.now();
    const eventId = webhookEventId(`alert:${alert.id}:${period.start.toISOString()}`);
    const value = formatDecimal(reached.value);
    return {
      trigger: {
        alert_id: alert.id,
        period_start: period.start,
        period_end: period.end,
        value,
        currency: reached.currency,
        event_id: eventId,
        triggered_at: now,
      },
      event: {
        id: eventId,
        type: 'usage.alert_triggered',
        customerId: alert.customer_id,
        occurredAt: now,
        data: {
          alert_id: alert.id,
          customer_id: alert.customer_id,
          metric_key: alert.metric_key,
          threshold: thresholdToJson(threshold),
          value,
          ...(reached.currency ? { currency: reached.currency } : {}),
          period_start: period.start.toISOString(),
          period_end: period.end.toISOString(),
        },
      },
    };
  }
}

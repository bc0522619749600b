import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import type { SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { ChargeFigure, chargeAdjustments } from '@abaxus/domain/invoice/usage-adjustment';
import { formatAmount, formatDecimal } from '@abaxus/domain/money/decimal';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { Clock } from '@abaxus/platform/time/clock';
import type { InvoiceSnapshot } from '../invoices/invoice-json';
import type { ProratedCalculation, ProratedLineItemJson } from '../invoices/prorated-calculation';
import { settle, Settled } from '@abaxus/platform/service/settled';
import { SubscriptionPricer } from '../invoices/subscription-pricer';
import { InvoicedPeriod, UsageAdjustmentRow, UsageAdjustmentsRepository } from './usage-adjustments.repository';

/**
 * An event may reach the events store a little before the pricing that read the period finished
 * (its insert began before the read and committed after it): periods are checked for events
 * stored since this long before they were priced. A needless re-pricing finds nothing to adjust.
 */
const STORED_BEFORE_PRICING_MS = 2 * 60_000;

export interface LateUsageAdjustments {
  /** One group per re-priced phase with a difference, oldest period first; lines carry `adjustment`. */
  priced: ProratedCalculation[];
  /** Written with the invoice that carries them. */
  rows: UsageAdjustmentRow[];
}

const chargeKey = (plan: { plan_id: string; plan_version: number }, line: ProratedLineItemJson) =>
  `${plan.plan_id}:${plan.plan_version}|${line.metric_key}|${line.model}`;

/**
 * Late usage (API.md Part II §6): before a subscription's next invoice is written, each of its
 * invoiced periods that received events after it was priced (asked of aggregation, strongly) is
 * re-priced with all its usage; every metered charge whose amount changed is billed the
 * difference on the new invoice, naming the original invoice. Issued invoices are never changed.
 */
@Injectable()
export class LateUsageAdjuster {
  constructor(
    private readonly adjustments: UsageAdjustmentsRepository,
    private readonly pricer: SubscriptionPricer,
    private readonly http: ServiceHttpClient,
    private readonly clock: Clock,
  ) {}

  async forSubscription(customerId: string, subscription: SubscriptionRecord): Promise<LateUsageAdjustments> {
    return this.withPeriods(customerId, subscription, await this.adjustments.invoicedPeriods(subscription.id));
  }

  /**
   * forSubscription for many subscriptions (a billing run's batch), their invoiced periods read at
   * once; each answers on its own (one failing does not fail the others).
   */
  async forSubscriptions(items: ReadonlyArray<{ customerId: string; subscription: SubscriptionRecord }>): Promise<Array<Settled<LateUsageAdjustments>>> {
    const periodsOf = await this.adjustments.invoicedPeriodsOf([...new Set(items.map((item) => item.subscription.id))]);
    const asked = items.flatMap((item, index) => {
      const periods = periodsOf.get(item.subscription.id) ?? [];
      return periods.length === 0 ? [] : [{ index, item, periods }];
    });
    // Which of all their periods got late usage: asked of aggregation in one call per LATE_QUERIES_PER_CALL.
    const lateOf = new Map<number, Settled<number[]>>();
    for (let offset = 0; offset < asked.length; offset += LATE_QUERIES_PER_CALL) {
      const chunk = asked.slice(offset, offset + LATE_QUERIES_PER_CALL);
      const answer = await settle(
        this.http.expectOk<{ results: Array<{ late?: number[]; error?: { status: number; code: string; detail: string } }> }>(
          'aggregation',
          'POST',
          '/internal/v1/usage/late-periods-batch',
          { queries: chunk.map(({ item, periods }) => latePeriodsQuery(item.customerId, item.subscription.id, periods)) },
        ),
      );
      for (const [position, { index }] of chunk.entries()) {
        const result = answer.ok ? answer.value.results?.[position] : undefined;
        if (!answer.ok) lateOf.set(index, answer);
        else if (result?.late) lateOf.set(index, { ok: true, value: result.late });
        else {
          const problem = result?.error ?? { status: 502, code: 'upstream_error', detail: 'The aggregation service answered no late periods.' };
          lateOf.set(index, { ok: false, error: new ProblemException(problem.status, problem.code, problem.detail) });
        }
      }
    }
    return Promise.all(
      items.map(async ({ customerId, subscription }, index): Promise<Settled<LateUsageAdjustments>> => {
        const late = lateOf.get(index);
        if (!late) return { ok: true, value: { priced: [], rows: [] } };
        if (!late.ok) return late;
        return settle(this.adjustLate(customerId, subscription, periodsOf.get(subscription.id)!, late.value));
      }),
    );
  }

  private async withPeriods(customerId: string, subscription: SubscriptionRecord, periods: InvoicedPeriod[]): Promise<LateUsageAdjustments> {
    if (periods.length === 0) return { priced: [], rows: [] };
    const { late } = await this.http.expectOk<{ late: number[] }>(
      'aggregation',
      'POST',
      '/internal/v1/usage/late-periods',
      latePeriodsQuery(customerId, subscription.id, periods),
    );
    return this.adjustLate(customerId, subscription, periods, late);
  }

  /** The adjustments of the periods (indexes into `periods`) that got late usage. */
  private async adjustLate(customerId: string, subscription: SubscriptionRecord, periods: InvoicedPeriod[], late: number[]): Promise<LateUsageAdjustments> {
    const result: LateUsageAdjustments = { priced: [], rows: [] };
    // Oldest period first.
    for (const index of [...late].sort((a, b) => b - a)) {
      const adjusted = await this.adjust(customerId, subscription, periods[index]);
      result.priced.push(...adjusted.priced);
      result.rows.push(...adjusted.rows);
    }
    return result;
  }

  private async adjust(customerId: string, subscription: SubscriptionRecord, period: InvoicedPeriod): Promise<LateUsageAdjustments> {
    const repricedAt = this.clock.now();
    const repriced = await this.pricer.price(customerId, subscription, period.period_start, period.period_end);
    const snapshot = JSON.parse(period.snapshot) as InvoiceSnapshot;
    const group = snapshot.line_groups.find((candidate) => candidate.subscription_id === subscription.id && !candidate.adjustment);
    const invoiced: ChargeFigure[] = snapshot.line_items
      .filter((line) => line.subscription_id === subscription.id && !line.adjustment && line.metric_key !== null)
      .map((line) => ({ key: chargeKey(line.phase ?? group!, line), quantity: new Big(line.quantity), amount: new Big(line.amount) }));
    for (const [key, sum] of await this.adjustments.adjustedSoFar(period.invoice_id, subscription.id)) {
      invoiced.push({ key, quantity: new Big(sum.quantity), amount: new Big(sum.amount) });
    }
    const repricedLines = repriced.flatMap(({ calculation, line_items }) =>
      line_items.filter((line) => line.metric_key !== null).map((line) => ({ calculation, line, key: chargeKey(calculation, line) })),
    );
    const differences = chargeAdjustments(
      invoiced,
      repricedLines.map(({ key, line }) => ({ key, quantity: new Big(line.quantity), amount: new Big(line.amount) })),
    );
    const base = { original_invoice_id: period.invoice_id, subscription_id: subscription.id, period_start: period.period_start, repriced_at: repricedAt };
    const rows: UsageAdjustmentRow[] = [
      { ...base, charge_key: '*', quantity: '0', amount: '0' },
      ...differences.map((difference) => ({
        ...base,
        charge_key: difference.key,
        quantity: difference.quantity.toString(),
        amount: difference.amount.toString(),
      })),
    ];
    const marker = { invoice_id: period.invoice_id, invoice_number: period.invoice_number };
    const priced: ProratedCalculation[] = [];
    for (const piece of repriced) {
      const lines: ProratedLineItemJson[] = [];
      for (const difference of differences) {
        const first = repricedLines.find((candidate) => candidate.key === difference.key);
        // A charge no longer priced (none in practice: a period keeps its plan versions) goes with the first phase.
        if ((first?.calculation ?? repriced[0].calculation) !== piece.calculation) continue;
        const [, metric, model] = difference.key.split('|');
        const currency = piece.calculation.currency;
        lines.push({
          metric_key: first?.line.metric_key ?? metric,
          model: (first?.line.model ?? model) as ProratedLineItemJson['model'],
          quantity: formatDecimal(difference.quantity),
          amount: formatAmount(difference.amount, currency),
          ...(piece.phase ? { phase: piece.phase } : {}),
          adjustment: {
            ...marker,
            period_start: period.period_start.toISOString(),
            period_end: period.period_end.toISOString(),
            invoiced_amount: formatAmount(difference.invoiced_amount, currency),
            repriced_amount: formatAmount(difference.repriced_amount, currency),
            calculation_id: piece.calculation.calculation_id,
          },
        });
      }
      if (lines.length === 0) continue;
      const total = lines.reduce((sum, line) => sum.plus(line.amount), new Big(0));
      priced.push({ calculation: piece.calculation, phase: piece.phase, adjustment: marker, line_items: lines, total });
    }
    return { priced, rows };
  }
}

/** Subscriptions per late-periods-batch call (aggregation takes up to 500). */
const LATE_QUERIES_PER_CALL = 200;

/** What aggregation's late-periods is asked for one subscription's invoiced periods. */
function latePeriodsQuery(customerId: string, subscriptionId: string, periods: InvoicedPeriod[]) {
  return {
    customer_id: customerId,
    subscription_id: subscriptionId,
    periods: periods.map((period) => ({
      period_start: period.period_start.toISOString(),
      period_end: period.period_end.toISOString(),
      checked_at: new Date(period.priced_at.getTime() - STORED_BEFORE_PRICING_MS).toISOString(),
    })),
  };
}

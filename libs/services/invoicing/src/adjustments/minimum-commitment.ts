import Big from 'big.js';
import { prorateFlatFee } from '@abaxus/domain/billing/flat-fee-proration';
import type { SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import type { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { cycledSubscription, type ProratedCalculation, type CycledSubscription } from '../invoices/prorated-calculation';

/**
 * The minimum commitment an invoice must reach: each subscription's plan minimum (per billing
 * interval) for the time its calculation covers, prorated exactly like a flat fee; a plan without
 * an interval commits its minimum once per invoiced period, like its flat fee. Null when no plan
 * of the invoice has one.
 */
export function invoiceMinimum(
  currency: string,
  parts: ReadonlyArray<{ priced: ProratedCalculation; minimumAmount: string | null; cycle: CycledSubscription | null }>,
): Big | null {
  const withMinimum = parts.filter((part) => part.minimumAmount !== null);
  if (withMinimum.length === 0) return null;
  return withMinimum.reduce((sum, { priced, minimumAmount, cycle }) => {
    const minimum = new Big(minimumAmount!);
    if (!cycle) return sum.plus(minimum);
    const share = prorateFlatFee({
      fee: minimum,
      currency,
      anchor: new Date(cycle.start_date),
      interval: cycle.billing_interval,
      from: new Date(priced.calculation.usage_period.start),
      to: new Date(priced.calculation.usage_period.end),
    });
    return sum.plus(share.amount);
  }, new Big(0));
}

/**
 * The minimum commitment of the calculations an invoice bills for its own periods (late-usage
 * adjustments of earlier periods excluded): each by the minimum of the plan version it was priced
 * by (a phase of a changed plan by its own), over its subscription's cycle.
 */
export async function pricedMinimum(
  catalog: CatalogClient,
  currency: string,
  pieces: ReadonlyArray<{ priced: ProratedCalculation; subscription: SubscriptionRecord }>,
): Promise<Big | null> {
  const parts = await Promise.all(
    pieces.map(async ({ priced, subscription }) => ({
      priced,
      minimumAmount: (await catalog.planVersion(priced.calculation.plan_id, priced.calculation.plan_version)).minimumAmount ?? null,
      cycle: cycledSubscription(subscription),
    })),
  );
  return invoiceMinimum(currency, parts);
}

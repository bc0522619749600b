import Big from 'big.js';
import { prorateFlatFee } from '@abaxus/domain/billing/flat-fee-proration';
import type { ProratedCalculation, CycledSubscription } from '../invoices/prorated-calculation';

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

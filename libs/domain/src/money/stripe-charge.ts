import Big from 'big.js';
import { formatAmount } from './decimal';
import { fromStripeMinorUnits, stripeMinimumCharge, toStripeMinorUnits } from './stripe-amount';

export type StripeChargeRefusalCode = 'amount_below_minimum' | 'amount_not_chargeable_exactly' | 'amount_too_large';

export type StripeChargeAmountResult = { ok: true; minorUnits: string } | { ok: false; code: StripeChargeRefusalCode; message: string };

/**
 * The `amount` to charge Stripe for an invoice total, refused (never rounded) when Stripe could
 * not take it exactly: below its minimum charge, finer than Stripe's precision for the currency
 * (KWD 1.235 would become 1.240), or beyond a safe integer (the SDK sends a JSON number).
 */
export function stripeChargeAmount(total: Big, currency: string): StripeChargeAmountResult {
  const minimum = stripeMinimumCharge(currency);
  if (minimum && total.lt(minimum)) {
    return {
      ok: false,
      code: 'amount_below_minimum',
      message: `Stripe cannot charge less than ${formatAmount(minimum, currency)} ${currency}; the total is ${formatAmount(total, currency)} ${currency}`,
    };
  }
  const minorUnits = toStripeMinorUnits(total, currency);
  if (!fromStripeMinorUnits(minorUnits, currency).eq(total)) {
    return {
      ok: false,
      code: 'amount_not_chargeable_exactly',
      message: `Stripe cannot charge ${formatAmount(total, currency)} ${currency} exactly (it would charge ${formatAmount(fromStripeMinorUnits(minorUnits, currency), currency)})`,
    };
  }
  if (new Big(minorUnits).gt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, code: 'amount_too_large', message: `${formatAmount(total, currency)} ${currency} is more than Stripe can charge at once` };
  }
  return { ok: true, minorUnits };
}

import Big from 'big.js';
import { CurrencyCode, roundToMinorUnit } from '../money/currency';
import type { ChargePrice } from './models/pricing-model';
import { Charge, pricingModel } from './models/registry';
import type { TierBreakdown } from './models/tier-breakdown';

/**
 * Exact (unrounded) price of one charge for a period's quantity. An unmetered model (flat_fee) ignores `quantity`.
 * A negative quantity (possible with signed sum or latest metrics) is priced as 0 units: usage
 * never turns into a credit. The caller still reports the raw quantity on the line item.
 */
export function priceCharge(charge: Charge, quantity: Big): ChargePrice {
  const units = quantity.lt(0) ? new Big(0) : quantity;
  return pricingModel(charge.model).price(charge.properties, units);
}

export interface LineItemPrice {
  /** Rounded once, half-up, to the currency's minor unit: the figure that is invoiced. */
  amount: Big;
  /** The exact price before that single rounding. */
  unroundedAmount: Big;
  /** Tier breakdown with exact (unrounded) tier amounts; empty for non-tiered models. */
  tiers: TierBreakdown[];
}

/** Price of one line item in `currency`: rounded once at the end, never per tier. */
export function priceLineItem(charge: Charge, quantity: Big, currency: CurrencyCode | string): LineItemPrice {
  const price = priceCharge(charge, quantity);
  return { amount: roundToMinorUnit(price.amount, currency), unroundedAmount: price.amount, tiers: price.tiers };
}

/**
 * Price of one line item of a model priced event by event (percentage): the sum of each event's
 * exact fee (a negative value is priced as 0, like a negative quantity), rounded once at the end.
 */
export function priceEventsLineItem(charge: Charge, eventValues: Iterable<Big>, currency: CurrencyCode | string): LineItemPrice {
  let amount = new Big(0);
  for (const value of eventValues) amount = amount.plus(priceCharge(charge, value).amount);
  return { amount: roundToMinorUnit(amount, currency), unroundedAmount: amount, tiers: [] };
}

import Big from 'big.js';
import { formatDecimal } from '../../../money/decimal';
import { parseAmount } from '../plan-fields';
import type { ChargePrice, PricingModel } from '../pricing-model';

export interface PercentageProperties {
  /** Percent of each event's value, 0–100. */
  rate: Big;
  /** Added to every event; 0 when the plan gave none. */
  fixedAmount: Big;
  /** Bounds of one event's fee; null when the plan gave none. */
  minPerEvent: Big | null;
  maxPerEvent: Big | null;
}

export interface PercentagePropertiesJson {
  rate: string;
  fixed_amount: string;
  min_per_event: string | null;
  max_per_event: string | null;
}

const HUNDRED = new Big(100);
// Multiplying by 0.01 instead of dividing by 100 keeps the fee exact whatever Big.DP is.
const ONE_HUNDREDTH = new Big('0.01');

/**
 * One event's fee: rate % of its value plus fixed_amount, clamped to [min_per_event, max_per_event],
 * exact (no rounding here; the line item rounds once).
 */
export function pricePercentageEvent(properties: PercentageProperties, value: Big): Big {
  const fee = value.times(properties.rate).times(ONE_HUNDREDTH).plus(properties.fixedAmount);
  if (properties.minPerEvent !== null && fee.lt(properties.minPerEvent)) return properties.minPerEvent;
  if (properties.maxPerEvent !== null && fee.gt(properties.maxPerEvent)) return properties.maxPerEvent;
  return fee;
}

/** The period's price: the sum of every event's fee (see pricePercentageEvent). */
export function pricePercentageEvents(properties: PercentageProperties, values: Iterable<Big>): ChargePrice {
  let amount = new Big(0);
  for (const value of values) amount = amount.plus(pricePercentageEvent(properties, value));
  return { amount, tiers: [] };
}

/**
 * `percentage` (payment fees such as 2.9 % + 0.30): priced event by event on a sum metric whose
 * values are transaction amounts, so `price` receives one event's value at a time.
 */
export const percentageModel: PricingModel<PercentageProperties, PercentagePropertiesJson, true> = {
  metered: true,
  pricedPerEvent: true,
  propertyFields: { required: ['rate'], optional: ['fixed_amount', 'min_per_event', 'max_per_event'] },
  tierBreakdown: false,
  parseProperties(properties, path, errors) {
    const issuesBefore = errors.length;
    const rate = parseAmount(properties.rate, `${path}.rate`, errors);
    if (rate?.gt(HUNDRED)) errors.push({ field: `${path}.rate`, message: 'must be between 0 and 100' });
    const fixedAmount =
      properties.fixed_amount === undefined || properties.fixed_amount === null
        ? new Big(0)
        : parseAmount(properties.fixed_amount, `${path}.fixed_amount`, errors);
    const minPerEvent = optionalBound(properties.min_per_event, `${path}.min_per_event`, errors);
    const maxPerEvent = optionalBound(properties.max_per_event, `${path}.max_per_event`, errors);
    if (minPerEvent && maxPerEvent && minPerEvent.gt(maxPerEvent)) {
      errors.push({ field: `${path}.min_per_event`, message: 'must not be greater than max_per_event' });
    }
    if (errors.length > issuesBefore || !rate || !fixedAmount) return undefined;
    return { rate, fixedAmount, minPerEvent: minPerEvent ?? null, maxPerEvent: maxPerEvent ?? null };
  },
  price: (properties, value) => ({ amount: pricePercentageEvent(properties, value), tiers: [] }),
  propertiesToJson: (properties) => ({
    rate: formatDecimal(properties.rate),
    fixed_amount: formatDecimal(properties.fixedAmount),
    min_per_event: properties.minPerEvent === null ? null : formatDecimal(properties.minPerEvent),
    max_per_event: properties.maxPerEvent === null ? null : formatDecimal(properties.maxPerEvent),
  }),
};

function optionalBound(raw: unknown, field: string, errors: Parameters<typeof parseAmount>[2]): Big | undefined {
  return raw === undefined || raw === null ? undefined : parseAmount(raw, field, errors);
}

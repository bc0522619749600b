import Big from 'big.js';
import { priceCharge } from '@abaxus/domain/pricing/price-charge';
import { parsePricePlanCharges } from '@abaxus/domain/pricing/price-plan-validation';

export interface PricePoint {
  quantity: string;
  amount: string;
}

/**
 * What a tiered or volume charge costs along its quantities, priced by the engine's own rules
 * (libs/domain, exact decimals): every tier boundary, the quantities just past it (where a volume
 * price or a flat amount jumps) and `samples` points up to half again past the last boundary.
 * Undefined for a charge the rules do not accept (nothing to draw).
 */
export function priceCurve(chargeJson: unknown, samples = 24): PricePoint[] | undefined {
  const parsed = parsePricePlanCharges([chargeJson]);
  if (!parsed.ok) return undefined;
  const [charge] = parsed.charges;
  if (charge.model !== 'tiered' && charge.model !== 'volume') return undefined;
  const boundaries = charge.properties.tiers.flatMap((tier) => (tier.upTo === null ? [] : [tier.upTo]));
  const last = boundaries.length ? boundaries[boundaries.length - 1] : new Big(10);
  const end = last.times(1.5).round(0, Big.roundUp);
  const step = end.div(samples);
  const quantities = [new Big(0), end];
  for (let index = 1; index < samples; index += 1) quantities.push(step.times(index).round(6, Big.roundDown));
  for (const boundary of boundaries) quantities.push(boundary, boundary.plus(step.div(100)));
  const unique = [...new Map(quantities.filter((quantity) => quantity.lte(end)).map((quantity) => [quantity.toFixed(), quantity])).values()];
  unique.sort((a, b) => a.cmp(b));
  return unique.map((quantity) => ({ quantity: quantity.toFixed(), amount: priceCharge(charge, quantity).amount.toFixed() }));
}

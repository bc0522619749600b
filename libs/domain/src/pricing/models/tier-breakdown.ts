import type Big from 'big.js';
import { formatDecimal } from '../../money/decimal';

/** How one tier contributed to a tiered or volume price. `from` is the previous tier's upTo (0 first). */
export interface TierBreakdown {
  from: Big;
  upTo: Big | null;
  quantity: Big;
  unitAmount: Big;
  flatAmount: Big;
  amount: Big;
}

/** A tier breakdown in the API (a calculation's line item `tiers`): decimal strings, exact. */
export interface TierBreakdownJson {
  from: string;
  up_to: string | null;
  quantity: string;
  unit_amount: string;
  flat_amount: string;
  /** Exact: only the line item's amount is rounded. */
  amount: string;
}

/** Tier amounts stay exact in the breakdown; only the line item's amount is rounded. */
export function tierBreakdownToJson(tier: TierBreakdown): TierBreakdownJson {
  return {
    from: formatDecimal(tier.from),
    up_to: tier.upTo === null ? null : formatDecimal(tier.upTo),
    quantity: formatDecimal(tier.quantity),
    unit_amount: formatDecimal(tier.unitAmount),
    flat_amount: formatDecimal(tier.flatAmount),
    amount: formatDecimal(tier.amount),
  };
}

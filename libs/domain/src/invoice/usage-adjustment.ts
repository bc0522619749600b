import Big from 'big.js';

/*
 * Late usage (API.md Part II §6): a closed period is re-priced with all its usage; each charge is
 * billed the difference between the re-priced amount and what was already invoiced for it (the
 * original invoice's lines plus earlier adjustments). A negative difference is a credit.
 */

export interface ChargeFigure {
  /** Identifies a charge across pricings of one period (plan version, metric, model). */
  key: string;
  quantity: Big;
  amount: Big;
}

export interface ChargeAdjustment {
  key: string;
  quantity: Big;
  amount: Big;
  invoiced_amount: Big;
  repriced_amount: Big;
}

function byKey(figures: readonly ChargeFigure[]): Map<string, { quantity: Big; amount: Big }> {
  const sums = new Map<string, { quantity: Big; amount: Big }>();
  for (const figure of figures) {
    const sum = sums.get(figure.key) ?? { quantity: new Big(0), amount: new Big(0) };
    sums.set(figure.key, { quantity: sum.quantity.plus(figure.quantity), amount: sum.amount.plus(figure.amount) });
  }
  return sums;
}

/** One adjustment per charge whose amount changed, in the order charges were first seen (re-priced ones first). */
export function chargeAdjustments(invoiced: readonly ChargeFigure[], repriced: readonly ChargeFigure[]): ChargeAdjustment[] {
  const before = byKey(invoiced);
  const after = byKey(repriced);
  const keys = [...new Set([...after.keys(), ...before.keys()])];
  const zero = { quantity: new Big(0), amount: new Big(0) };
  return keys
    .map((key) => {
      const was = before.get(key) ?? zero;
      const now = after.get(key) ?? zero;
      return {
        key,
        quantity: now.quantity.minus(was.quantity),
        amount: now.amount.minus(was.amount),
        invoiced_amount: was.amount,
        repriced_amount: now.amount,
      };
    })
    .filter((adjustment) => !adjustment.amount.eq(0));
}

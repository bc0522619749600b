import Big from 'big.js';
import { minorUnitOf } from '../money/currency';
import { BillingInterval, cyclesOverlapping } from './billing-cycle';

/*
 * A flat fee on a plan with a billing interval is the price of one whole cycle. A period that
 * covers part of a cycle pays for the exact milliseconds it covers. Rounding rule ("cumulative"):
 * the part [a, b) of cycle [s, e) pays round(fee × (b − s) / (e − s)) − round(fee × (a − s) / (e − s)),
 * each round() half-up to the currency's minor unit on the exact rational value. Back-to-back parts
 * of one cycle therefore always add up to the full fee to the cent (the sum telescopes), whatever
 * way the cycle was cut; each part differs from its own rounded share by at most one minor unit.
 */

export interface FlatFeeProrationInput {
  /** The fee of one whole cycle (non-negative, at most 12 fractional digits). */
  fee: Big;
  currency: string;
  anchor: Date;
  interval: BillingInterval;
  /** The billed window [from, to). */
  from: Date;
  to: Date;
}

export interface FlatFeeProration {
  amount: Big;
  /** Cycles covered: 1 for one whole cycle, 0.5 for half of one, 2 for two whole ones… */
  fraction: Big;
  /** True when the window is made of whole cycles only (no proration to show). */
  whole: boolean;
}

/** Digits `fraction` is computed to (it is informative; the amount is computed exactly). */
export const PRORATION_FRACTION_DIGITS = 12;

const FEE_SCALE_DIGITS = 12;

function scaledInteger(value: Big, digits: number): bigint {
  return BigInt(value.times(`1e${digits}`).round(0, Big.roundDown).toFixed(0));
}

/** round_half_up(fee × numerator / denominator) in minor units, exactly (non-negative inputs). */
function roundedShareMinor(feeScaled: bigint, numerator: bigint, denominator: bigint, minorDigits: number): bigint {
  const n = feeScaled * numerator * 10n ** BigInt(minorDigits);
  const d = denominator * 10n ** BigInt(FEE_SCALE_DIGITS);
  const quotient = n / d;
  return 2n * (n % d) >= d ? quotient + 1n : quotient;
}

export function prorateFlatFee(input: FlatFeeProrationInput): FlatFeeProration {
  if (input.fee.lt(0)) throw new RangeError('a flat fee is never negative');
  const minorDigits = minorUnitOf(input.currency);
  const feeScaled = scaledInteger(input.fee, FEE_SCALE_DIGITS);
  let minor = 0n;
  let fractionScaled = 0n;
  let whole = true;
  for (const cycle of cyclesOverlapping(input.anchor, input.interval, input.from, input.to)) {
    const start = BigInt(cycle.start.getTime());
    const length = BigInt(cycle.end.getTime()) - start;
    const from = BigInt(Math.max(input.from.getTime(), cycle.start.getTime()));
    const to = BigInt(Math.min(input.to.getTime(), cycle.end.getTime()));
    minor += roundedShareMinor(feeScaled, to - start, length, minorDigits) - roundedShareMinor(feeScaled, from - start, length, minorDigits);
    if (from !== start || to - start !== length) whole = false;
    fractionScaled += roundedShareMinor(10n ** BigInt(FEE_SCALE_DIGITS), to - from, length, PRORATION_FRACTION_DIGITS);
  }
  // Exact shifts of the decimal point (Big's div would round at the shared Big.DP).
  return { amount: new Big(`${minor}e-${minorDigits}`), fraction: new Big(`${fractionScaled}e-${PRORATION_FRACTION_DIGITS}`), whole };
}

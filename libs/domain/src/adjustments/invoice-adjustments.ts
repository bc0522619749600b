import Big from 'big.js';
import { minorUnitOf, roundToMinorUnit } from '../money/currency';

/*
 * Divisions (percentages, proportional shares, inclusive tax extraction) go through a private Big
 * constructor with enough places that the one half-up rounding to the minor unit that follows is
 * exact; the shared constructor's DP/RM are never touched (see money/decimal.ts).
 */
const Exact = Big();
Exact.DP = 40;
Exact.RM = Big.roundHalfUp;
const divide = (numerator: Big, denominator: Big): Big => new Exact(numerator).div(new Exact(denominator));

export interface AdjustableLine {
  /** Names the line in the tax breakdown (the line item's position on the invoice). */
  key: string;
  /** Already rounded to the minor unit; may be negative (a credit line). */
  amount: Big;
}

export type DiscountTerms = { percentOff: Big; amountOff?: undefined } | { amountOff: Big; percentOff?: undefined };

export interface ApplicableDiscount {
  discountId: string;
  couponId: string;
  terms: DiscountTerms;
}

export interface TaxRateTerms {
  id: string;
  displayName: string;
  /** 0 to 100. */
  percentage: Big;
  inclusive: boolean;
}

export interface AdjustmentInput {
  currency: string;
  lines: readonly AdjustableLine[];
  /** In the order they are applied; each works on what the earlier ones left. */
  discounts: readonly ApplicableDiscount[];
  /** The minimum commitment for the invoiced time (already prorated), or null. */
  minimum: Big | null;
  taxRates: readonly TaxRateTerms[];
  /** The customer's live credit balance in the currency. */
  creditsAvailable: Big;
}

export interface AppliedDiscount {
  discountId: string;
  couponId: string;
  terms: DiscountTerms;
  amount: Big;
}

export interface LineTax {
  lineKey: string;
  taxRateId: string;
  taxableAmount: Big;
  amount: Big;
}

export interface RateTax {
  taxRateId: string;
  displayName: string;
  percentage: Big;
  inclusive: boolean;
  taxableAmount: Big;
  amount: Big;
}

export interface InvoiceAdjustments {
  subtotal: Big;
  discounts: AppliedDiscount[];
  discountAmount: Big;
  /** The true-up line's amount when the discounted subtotal is below the minimum, else null. */
  minimumTrueUp: Big | null;
  lineTaxes: LineTax[];
  taxes: RateTax[];
  /** Every tax, inclusive ones too (Stripe's `tax`). */
  taxAmount: Big;
  /** subtotal − discounts + true-up + exclusive taxes (inclusive taxes are inside the lines already). */
  total: Big;
  creditsApplied: Big;
  amountDue: Big;
}

export const MINIMUM_TRUE_UP_KEY = 'minimum_commitment';

const zero = () => new Big(0);
const sum = (values: readonly Big[]) => values.reduce((total, value) => total.plus(value), zero());

/** Each discount in turn on what is left, rounded once half-up; never below zero. */
export function applyDiscounts(currency: string, subtotal: Big, discounts: readonly ApplicableDiscount[]): AppliedDiscount[] {
  let left = subtotal.gt(0) ? subtotal : zero();
  return discounts.map((discount) => {
    const wanted =
      discount.terms.percentOff !== undefined
        ? roundToMinorUnit(divide(left.times(discount.terms.percentOff), new Big(100)), currency)
        : discount.terms.amountOff;
    const amount = wanted.gt(left) ? left : wanted;
    left = left.minus(amount);
    return { discountId: discount.discountId, couponId: discount.couponId, terms: discount.terms, amount };
  });
}

/**
 * Spreads `amount` (at most the positive lines' sum) over the positive lines in proportion, by
 * rounding the running share: the shares add up exactly to `amount` and none exceeds its line.
 */
export function allocate(currency: string, lines: readonly AdjustableLine[], amount: Big): Big[] {
  const base = sum(lines.filter((line) => line.amount.gt(0)).map((line) => line.amount));
  if (amount.eq(0) || base.eq(0)) return lines.map(() => zero());
  let running = zero();
  let allocated = zero();
  return lines.map((line) => {
    if (line.amount.lte(0)) return zero();
    running = running.plus(line.amount);
    const upTo = roundToMinorUnit(divide(amount.times(running), base), currency);
    const share = upTo.minus(allocated);
    allocated = upTo;
    return share;
  });
}

/** Tax of one line under one rate, rounded once half-up; inclusive rates extract it from the line. */
export function lineTax(currency: string, taxable: Big, rate: TaxRateTerms, inclusivePercentages: Big): Big {
  const exact = rate.inclusive ? divide(taxable.times(rate.percentage), inclusivePercentages.plus(100)) : divide(taxable.times(rate.percentage), new Big(100));
  return roundToMinorUnit(exact, currency);
}

export interface PreTaxAmounts {
  subtotal: Big;
  discounts: AppliedDiscount[];
  discountAmount: Big;
  minimumTrueUp: Big | null;
  /** Each line less its share of the discounts, and the true-up line: what taxes apply to. */
  taxableLines: AdjustableLine[];
}

/** Subtotal → discounts → minimum true-up: the amounts taxes are computed on. */
export function preTaxAmounts(
  currency: string,
  lines: readonly AdjustableLine[],
  discountsToApply: readonly ApplicableDiscount[],
  minimum: Big | null,
): PreTaxAmounts {
  minorUnitOf(currency);
  const subtotal = sum(lines.map((line) => line.amount));
  const discounts = applyDiscounts(currency, subtotal, discountsToApply);
  const discountAmount = sum(discounts.map((discount) => discount.amount));
  const shares = allocate(currency, lines, discountAmount);
  const discounted = subtotal.minus(discountAmount);
  const minimumTrueUp = minimum !== null && minimum.gt(discounted) ? minimum.minus(discounted.gt(0) ? discounted : zero()) : null;
  const taxableLines: AdjustableLine[] = lines.map((line, index) => ({ key: line.key, amount: line.amount.minus(shares[index]) }));
  if (minimumTrueUp) taxableLines.push({ key: MINIMUM_TRUE_UP_KEY, amount: minimumTrueUp });
  return { subtotal, discounts, discountAmount, minimumTrueUp, taxableLines };
}

/** Tax per taxable line and rate (rounded once per line), and the same listed per rate. */
export function taxesByRate(
  currency: string,
  taxableLines: readonly AdjustableLine[],
  rates: readonly TaxRateTerms[],
): { lineTaxes: LineTax[]; taxes: RateTax[] } {
  const inclusivePercentages = sum(rates.filter((rate) => rate.inclusive).map((rate) => rate.percentage));
  const lineTaxes: LineTax[] = taxableLines.flatMap((line) =>
    rates.map((rate) => ({
      lineKey: line.key,
      taxRateId: rate.id,
      taxableAmount: line.amount,
      amount: lineTax(currency, line.amount, rate, inclusivePercentages),
    })),
  );
  const taxes: RateTax[] = rates.map((rate) => {
    const ofRate = lineTaxes.filter((tax) => tax.taxRateId === rate.id);
    return {
      taxRateId: rate.id,
      displayName: rate.displayName,
      percentage: rate.percentage,
      inclusive: rate.inclusive,
      taxableAmount: sum(ofRate.map((tax) => tax.taxableAmount)),
      amount: sum(ofRate.map((tax) => tax.amount)),
    };
  });
  return { lineTaxes, taxes };
}

/** Taxes → total → credits applied (at most the total) → amount due. */
export function finishInvoice(pre: PreTaxAmounts, taxes: { lineTaxes: LineTax[]; taxes: RateTax[] }, creditsAvailable: Big): InvoiceAdjustments {
  const taxAmount = sum(taxes.taxes.map((tax) => tax.amount));
  const exclusiveTax = sum(taxes.taxes.filter((tax) => !tax.inclusive).map((tax) => tax.amount));
  const total = pre.subtotal
    .minus(pre.discountAmount)
    .plus(pre.minimumTrueUp ?? zero())
    .plus(exclusiveTax);
  const payable = total.gt(0) ? total : zero();
  const available = creditsAvailable.gt(0) ? creditsAvailable : zero();
  const creditsApplied = available.lt(payable) ? available : payable;
  return {
    subtotal: pre.subtotal,
    discounts: pre.discounts,
    discountAmount: pre.discountAmount,
    minimumTrueUp: pre.minimumTrueUp,
    lineTaxes: taxes.lineTaxes,
    taxes: taxes.taxes,
    taxAmount,
    total,
    creditsApplied,
    amountDue: payable.minus(creditsApplied),
  };
}

/**
 * The invoice's amounts in the contract's order (API.md §7): subtotal → discounts → minimum
 * true-up → taxes per line and rate → total → credits applied → amount due.
 */
export function adjustInvoice(input: AdjustmentInput): InvoiceAdjustments {
  const pre = preTaxAmounts(input.currency, input.lines, input.discounts, input.minimum);
  return finishInvoice(pre, taxesByRate(input.currency, pre.taxableLines, input.taxRates), input.creditsAvailable);
}

export type CouponDuration = 'once' | 'repeating' | 'forever';

/** Whether a discount still applies to an invoice, given how many issued invoices it already reduced. */
export function discountStillApplies(duration: CouponDuration, durationInCycles: number | null, cyclesUsed: number): boolean {
  if (duration === 'forever') return true;
  if (duration === 'once') return cyclesUsed < 1;
  return cyclesUsed < (durationInCycles ?? 0);
}

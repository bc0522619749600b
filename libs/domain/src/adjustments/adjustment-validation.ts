import Big from 'big.js';
import { isCurrencyCode, minorUnitOf } from '../money/currency';
import { parseDecimal } from '../money/decimal';
import { ValidationIssue } from '../validation-issue';
import { CouponDuration } from './invoice-adjustments';

type Checked<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

const CURRENCY_MESSAGE = 'must be a known ISO 4217 currency code in upper case, such as "USD"';

function money(field: string, input: unknown, currency: string | undefined, issues: ValidationIssue[], positive = true): Big | undefined {
  const parsed = parseDecimal(input, currency && isCurrencyCode(currency) ? { maxFractionDigits: minorUnitOf(currency) } : {});
  if (!parsed.ok) {
    issues.push({ field, message: parsed.message });
    return undefined;
  }
  if (positive && parsed.value.lte(0)) {
    issues.push({ field, message: 'must be greater than zero' });
    return undefined;
  }
  return parsed.value;
}

export interface GrantTerms {
  amount: Big;
  currency: string;
}

/** A grant's amount is positive and has no more places than its (known) currency's minor unit. */
export function checkGrantTerms(body: { amount: unknown; currency: unknown }): Checked<GrantTerms> {
  const issues: ValidationIssue[] = [];
  if (!isCurrencyCode(body.currency)) issues.push({ field: 'currency', message: CURRENCY_MESSAGE });
  const amount = money('amount', body.amount, typeof body.currency === 'string' ? body.currency : undefined, issues);
  return issues.length || !amount ? { ok: false, issues } : { ok: true, value: { amount, currency: body.currency as string } };
}

export interface CouponTerms {
  percentOff: Big | null;
  amountOff: Big | null;
  currency: string | null;
  duration: CouponDuration;
  durationInCycles: number | null;
}

/** Percent off (0 < p ≤ 100) or an amount off with its currency, never both; cycles only for `repeating`. */
export function checkCouponTerms(body: {
  percent_off?: unknown;
  amount_off?: unknown;
  currency?: unknown;
  duration: CouponDuration;
  duration_in_cycles?: number | null;
}): Checked<CouponTerms> {
  const issues: ValidationIssue[] = [];
  const hasPercent = body.percent_off !== undefined && body.percent_off !== null;
  const hasAmount = body.amount_off !== undefined && body.amount_off !== null;
  let percentOff: Big | undefined;
  let amountOff: Big | undefined;
  if (hasPercent && hasAmount) issues.push({ field: 'amount_off', message: 'give either percent_off or amount_off, not both' });
  else if (!hasPercent && !hasAmount) issues.push({ field: 'percent_off', message: 'give percent_off, or amount_off with currency' });
  if (hasPercent) {
    percentOff = money('percent_off', body.percent_off, undefined, issues);
    if (percentOff?.gt(100)) issues.push({ field: 'percent_off', message: 'must be at most 100' });
    if (!hasAmount && body.currency !== undefined && body.currency !== null) issues.push({ field: 'currency', message: 'goes only with amount_off' });
  }
  if (hasAmount) {
    if (!isCurrencyCode(body.currency)) issues.push({ field: 'currency', message: `is required with amount_off and ${CURRENCY_MESSAGE}` });
    amountOff = money('amount_off', body.amount_off, typeof body.currency === 'string' ? body.currency : undefined, issues);
  }
  const cycles = body.duration_in_cycles ?? null;
  if (body.duration === 'repeating' && cycles === null) issues.push({ field: 'duration_in_cycles', message: 'is required when duration is "repeating"' });
  if (body.duration !== 'repeating' && cycles !== null) issues.push({ field: 'duration_in_cycles', message: 'goes only with duration "repeating"' });
  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    value: {
      percentOff: percentOff ?? null,
      amountOff: amountOff ?? null,
      currency: hasAmount ? (body.currency as string) : null,
      duration: body.duration,
      durationInCycles: cycles,
    },
  };
}

/** A tax rate's percentage: 0 ≤ p ≤ 100, at most 4 places. */
export function checkTaxPercentage(input: unknown): Checked<Big> {
  const parsed = parseDecimal(input, { maxFractionDigits: 4 });
  if (!parsed.ok) return { ok: false, issues: [{ field: 'percentage', message: parsed.message }] };
  if (parsed.value.gt(100)) return { ok: false, issues: [{ field: 'percentage', message: 'must be at most 100' }] };
  return { ok: true, value: parsed.value };
}

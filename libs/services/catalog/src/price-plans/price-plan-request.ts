import { plainToInstance } from 'class-transformer';
import { Allow, IsIn, IsOptional, IsString, Length, validateSync } from 'class-validator';
import { BILLING_INTERVALS, BillingInterval } from '@abaxus/domain/billing/billing-cycle';
import { CURRENCY_CODES, CurrencyCode, isCurrencyCode, minorUnitOf } from '@abaxus/domain/money/currency';
import { formatAmount, parseDecimal } from '@abaxus/domain/money/decimal';
import { chargeToJson } from '@abaxus/domain/pricing/charge-json';
import type { ChargeJson } from '@abaxus/domain/pricing/models/registry';
import { MetricKeyLookup, parsePricePlanCharges } from '@abaxus/domain/pricing/price-plan-validation';
import { ValidationIssue } from '@abaxus/domain/validation-issue';
import { flattenValidationErrors } from '@abaxus/platform/http/validation.pipe';
import { IsClientId } from '../validation/client-id.validator';

/** The top-level fields of POST /v1/price-plans; `charges` is checked by libs/domain. */
export class PricePlanFieldsDto {
  @IsClientId()
  id: string;

  @IsOptional()
  @IsString()
  @Length(1, 255)
  name?: string | null;

  @IsString()
  @IsIn(CURRENCY_CODES, { message: 'currency must be an upper-case ISO 4217 currency code such as USD' })
  currency: string;

  /** Absent or null: no cycles (invoices only on request). */
  @IsOptional()
  @IsIn(BILLING_INTERVALS, { message: `billing_interval must be one of ${BILLING_INTERVALS.join(', ')}` })
  billing_interval?: BillingInterval | null;

  @Allow()
  charges: unknown;

  /** The least the plan bills per billing interval (per invoiced period without one); checked below. */
  @Allow()
  minimum_amount?: unknown;
}

export interface PricePlanRequest {
  id: string;
  name: string | null;
  currency: CurrencyCode;
  /** Normalised: amounts as decimal strings, optional amounts explicit (libs/domain chargeToJson). */
  charges: ChargeJson[];
  billing_interval: BillingInterval | null;
  /** Absent when the plan has no minimum commitment. */
  minimum_amount?: string;
}

export type ParsePricePlanRequestResult = { ok: true; value: PricePlanRequest } | { ok: false; errors: ValidationIssue[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Metric keys the charges name, to look up before validation (unknown ones are refused). */
export function referencedMetricKeys(body: unknown): string[] {
  if (!isPlainObject(body) || !Array.isArray(body.charges)) return [];
  const keys = body.charges.map((charge: unknown) => (isPlainObject(charge) && typeof charge.metric_key === 'string' ? charge.metric_key : undefined));
  return [...new Set(keys.filter((key): key is string => key !== undefined))];
}

/**
 * Validates the whole body at once, so one answer lists every problem: the top-level fields by
 * class-validator (unknown fields refused), the charges by libs/domain with their field paths.
 */
export function parsePricePlanRequest(body: unknown, knownMetricKeys: MetricKeyLookup): ParsePricePlanRequestResult {
  if (!isPlainObject(body)) return { ok: false, errors: [{ field: 'body', message: 'must be a JSON object' }] };
  const fields = plainToInstance(PricePlanFieldsDto, body);
  const errors: ValidationIssue[] = flattenValidationErrors(
    validateSync(fields, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } }),
  );
  const charges = parsePricePlanCharges(body.charges, knownMetricKeys);
  if (!charges.ok) errors.push(...charges.errors);
  let minimum: string | undefined;
  if (fields.minimum_amount !== undefined && fields.minimum_amount !== null) {
    const parsed = parseDecimal(fields.minimum_amount, isCurrencyCode(fields.currency) ? { maxFractionDigits: minorUnitOf(fields.currency) } : {});
    if (!parsed.ok) errors.push({ field: 'minimum_amount', message: parsed.message });
    else minimum = formatAmount(parsed.value, isCurrencyCode(fields.currency) ? fields.currency : 'USD');
  }
  if (errors.length > 0 || !charges.ok) return { ok: false, errors };
  return {
    ok: true,
    value: {
      id: fields.id,
      name: fields.name ?? null,
      currency: fields.currency as CurrencyCode,
      charges: charges.charges.map(chargeToJson),
      billing_interval: fields.billing_interval ?? null,
      ...(minimum !== undefined ? { minimum_amount: minimum } : {}),
    },
  };
}

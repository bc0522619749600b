import type { AdjustableLine, LineTax, RateTax } from '@abaxus/domain/adjustments/invoice-adjustments';
import type { EntityManager } from 'typeorm';

export interface TaxRequest {
  customerId: string;
  /** The customer's tax_rate_ids, as the catalog has them. */
  taxRateIds: readonly string[];
  currency: string;
  /** Each line after its share of the discounts, and the minimum true-up line. */
  taxableLines: readonly AdjustableLine[];
  at: Date;
}

export interface TaxResult {
  lineTaxes: LineTax[];
  taxes: RateTax[];
}

/**
 * The one port invoices are taxed through, inside the issuing transaction (no network call there:
 * a provider such as Stripe Tax or Avalara would be asked before, and its answer looked up here).
 */
export abstract class TaxCalculator {
  abstract taxes(manager: EntityManager, request: TaxRequest): Promise<TaxResult>;
}

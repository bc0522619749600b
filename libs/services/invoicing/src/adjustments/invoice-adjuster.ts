import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { DiscountTerms, finishInvoice, InvoiceAdjustments, preTaxAmounts } from '@abaxus/domain/adjustments/invoice-adjustments';
import { formatAmount, formatDecimal } from '@abaxus/domain/money/decimal';
import { OutboxTransaction } from '@abaxus/platform/bus/service-outbox';
import type { EntityManager } from 'typeorm';
import type { ActiveDiscountRow } from '../coupons/coupons.repository';
import { CouponsService } from '../coupons/coupons.service';
import { CreditSpending } from '../credits/credit-spending';
import { TaxCalculator } from '../taxes/tax-calculator';

export interface AdjustmentRequest {
  customerId: string;
  currency: string;
  /** The invoice's line amounts, in their order on the invoice. */
  lineAmounts: readonly string[];
  subscriptionIds: readonly string[];
  taxRateIds: readonly string[];
  /** The minimum commitment for the invoiced time (prorated), or null. */
  minimum: Big | null;
  at: Date;
}

/** The waterfall as the invoice keeps it in its snapshot (API.md §7), every amount a decimal string. */
export interface AdjustmentsSnapshot {
  subtotal: string;
  discount_amount: string;
  discounts: Array<{ discount_id: string; coupon_id: string; description: string; amount: string }>;
  minimum_commitment: { minimum_amount: string; true_up_amount: string } | null;
  tax_amount: string;
  taxes: Array<{ tax_rate_id: string; display_name: string; percentage: string; inclusive: boolean; taxable_amount: string; amount: string }>;
  line_taxes: Array<{ line: string; tax_rate_id: string; taxable_amount: string; amount: string }>;
  credits_applied: string;
  credits: Array<{ grant_id: string; amount: string }>;
  amount_due: string;
}

/**
 * Everything between an invoice's lines and what it asks the customer to pay, inside the issuing
 * transaction: discounts, the minimum true-up, taxes (through the TaxCalculator port), then the
 * customer's credit, spent under its credit account lock.
 */
@Injectable()
export class InvoiceAdjuster {
  constructor(
    private readonly coupons: CouponsService,
    private readonly credits: CreditSpending,
    private readonly taxCalculator: TaxCalculator,
  ) {}

  async compute(tx: OutboxTransaction, request: AdjustmentRequest): Promise<InvoiceAdjustments> {
    const pre = await this.preTax(tx.manager, request);
    return finishInvoice(pre.amounts, pre.taxes, await this.credits.available(tx, request.customerId, request.currency, request.at));
  }

  /**
   * compute for a group of invoices in one transaction (a billing run's batch): the discounts of
   * all their customers read at once, their credit accounts locked and read at once. Invoices of
   * the same customer and currency (not made by the run) are computed one by one.
   */
  async computeMany(tx: OutboxTransaction, requests: readonly AdjustmentRequest[]): Promise<InvoiceAdjustments[]> {
    const accounts = new Set(requests.map((request) => `${request.customerId}\u0000${request.currency}`));
    if (requests.length < 2 || accounts.size < requests.length) {
      const one: InvoiceAdjustments[] = [];
      for (const request of requests) one.push(await this.compute(tx, request));
      return one;
    }
    const discounts = await this.coupons.discountsOfMany(tx.manager, [...new Set(requests.map((request) => request.customerId))]);
    // One connection: the tax reads (if any) still go one after another.
    const pre = await Promise.all(requests.map((request) => this.preTax(tx.manager, request, discounts.get(request.customerId) ?? [])));
    const available = await this.credits.availableMany(
      tx,
      requests.map((request) => ({ customerId: request.customerId, currency: request.currency, at: request.at })),
    );
    return requests.map((_, index) => finishInvoice(pre[index].amounts, pre[index].taxes, available[index]));
  }

  /** The same amounts with nothing locked, spent or recorded (the upcoming invoice). */
  async preview(manager: EntityManager, request: AdjustmentRequest): Promise<{ adjustments: AdjustmentsSnapshot; total: Big }> {
    const pre = await this.preTax(manager, request);
    const adjustments = finishInvoice(pre.amounts, pre.taxes, await this.credits.balanceAt(manager, request.customerId, request.currency, request.at));
    const draws = await this.credits.plan(manager, request.customerId, request.currency, adjustments.creditsApplied, request.at);
    return { adjustments: adjustmentsSnapshot(request, adjustments, draws), total: adjustments.total };
  }

  private async preTax(manager: EntityManager, request: AdjustmentRequest, knownDiscounts?: ActiveDiscountRow[]) {
    const lines = request.lineAmounts.map((amount, index) => ({ key: `line_items[${index}]`, amount: new Big(amount) }));
    const discounts = await this.coupons.applicable(manager, request.customerId, request.currency, request.subscriptionIds, knownDiscounts);
    const amounts = preTaxAmounts(request.currency, lines, discounts, request.minimum);
    const taxes = await this.taxCalculator.taxes(manager, {
      customerId: request.customerId,
      taxRateIds: request.taxRateIds,
      currency: request.currency,
      taxableLines: amounts.taxableLines,
      at: request.at,
    });
    return { amounts, taxes };
  }

  /** Once the invoice row exists: the discounts' cycles and the credit it takes, on the ledger. */
  async record(tx: OutboxTransaction, invoiceId: string, request: AdjustmentRequest, adjustments: InvoiceAdjustments): Promise<AdjustmentsSnapshot> {
    for (const discount of adjustments.discounts) await this.coupons.recordApplication(tx.manager, discount.discountId, invoiceId, discount.amount);
    const taken = await this.credits.consume(tx, request.customerId, request.currency, invoiceId, adjustments.creditsApplied, request.at);
    if (!taken.applied.eq(adjustments.creditsApplied)) {
      throw new Error(
        `invoice ${invoiceId}: credit spent ${taken.applied.toFixed()} differs from the ${adjustments.creditsApplied.toFixed()} computed under the same lock`,
      );
    }
    return adjustmentsSnapshot(request, adjustments, taken.draws);
  }
}

const describeTerms = (terms: DiscountTerms, currency: string) =>
  terms.percentOff !== undefined ? `${formatDecimal(terms.percentOff)}% off` : `${formatAmount(terms.amountOff, currency)} ${currency} off`;

function adjustmentsSnapshot(request: AdjustmentRequest, adjustments: InvoiceAdjustments, draws: AdjustmentsSnapshot['credits']): AdjustmentsSnapshot {
  const money = (value: Big) => formatAmount(value, request.currency);
  return {
    subtotal: money(adjustments.subtotal),
    discount_amount: money(adjustments.discountAmount),
    discounts: adjustments.discounts.map((discount) => ({
      discount_id: discount.discountId,
      coupon_id: discount.couponId,
      description: `Coupon ${discount.couponId} (${describeTerms(discount.terms, request.currency)})`,
      amount: money(discount.amount),
    })),
    minimum_commitment:
      adjustments.minimumTrueUp && request.minimum ? { minimum_amount: money(request.minimum), true_up_amount: money(adjustments.minimumTrueUp) } : null,
    tax_amount: money(adjustments.taxAmount),
    taxes: adjustments.taxes.map((tax) => ({
      tax_rate_id: tax.taxRateId,
      display_name: tax.displayName,
      percentage: formatDecimal(tax.percentage),
      inclusive: tax.inclusive,
      taxable_amount: money(tax.taxableAmount),
      amount: money(tax.amount),
    })),
    line_taxes: adjustments.lineTaxes.map((tax) => ({
      line: tax.lineKey,
      tax_rate_id: tax.taxRateId,
      taxable_amount: money(tax.taxableAmount),
      amount: money(tax.amount),
    })),
    credits_applied: money(adjustments.creditsApplied),
    credits: draws,
    amount_due: money(adjustments.amountDue),
  };
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** A subscription's period on an invoice that still counts, and when it was last priced. */
export interface InvoicedPeriod {
  invoice_id: string;
  invoice_number: string;
  snapshot: string;
  period_start: Date;
  period_end: Date;
  /** The invoice's creation, or its latest re-pricing carried by an invoice that is not voided. */
  priced_at: Date;
}

export interface UsageAdjustmentRow {
  original_invoice_id: string;
  subscription_id: string;
  period_start: Date;
  /** "plan_id:plan_version|metric_key|model", or "*" for a re-pricing that changed nothing. */
  charge_key: string;
  quantity: string;
  amount: string;
  repriced_at: Date;
}

/** How many of a subscription's latest invoiced periods are checked for late usage at each invoice. */
export const LATE_USAGE_PERIODS = 500;

@Injectable()
export class UsageAdjustmentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The subscription's periods on invoices that are not voided, newest first. */
  async invoicedPeriods(subscriptionId: string): Promise<InvoicedPeriod[]> {
    return this.dataSource.query(
      `SELECT i.id AS invoice_id, i.number AS invoice_number, i.snapshot, p.period_start, p.period_end,
              GREATEST(i.created_at, (
                SELECT max(a.repriced_at) FROM invoicing.usage_adjustments a JOIN invoicing.invoices carrier ON carrier.id = a.invoice_id
                WHERE a.original_invoice_id = i.id AND a.subscription_id = p.subscription_id AND carrier.status <> 'voided')) AS priced_at
       FROM invoicing.invoice_periods p JOIN invoicing.invoices i ON i.id = p.invoice_id
       WHERE p.subscription_id = $1 AND p.voided_at IS NULL AND i.status <> 'voided'
       ORDER BY p.period_start DESC LIMIT $2`,
      [subscriptionId, LATE_USAGE_PERIODS],
    );
  }

  /** invoicedPeriods of many subscriptions in one read, by subscription (none: absent). */
  async invoicedPeriodsOf(subscriptionIds: readonly string[]): Promise<Map<string, InvoicedPeriod[]>> {
    const byId = new Map<string, InvoicedPeriod[]>();
    if (subscriptionIds.length === 0) return byId;
    const rows: Array<InvoicedPeriod & { subscription_id: string }> = await this.dataSource.query(
      `SELECT s.subscription_id, x.* FROM unnest($1::text[]) AS s(subscription_id) CROSS JOIN LATERAL (
         SELECT i.id AS invoice_id, i.number AS invoice_number, i.snapshot, p.period_start, p.period_end,
                GREATEST(i.created_at, (
                  SELECT max(a.repriced_at) FROM invoicing.usage_adjustments a JOIN invoicing.invoices carrier ON carrier.id = a.invoice_id
                  WHERE a.original_invoice_id = i.id AND a.subscription_id = p.subscription_id AND carrier.status <> 'voided')) AS priced_at
         FROM invoicing.invoice_periods p JOIN invoicing.invoices i ON i.id = p.invoice_id
         WHERE p.subscription_id = s.subscription_id AND p.voided_at IS NULL AND i.status <> 'voided'
         ORDER BY p.period_start DESC LIMIT $2) x`,
      [subscriptionIds, LATE_USAGE_PERIODS],
    );
    for (const { subscription_id: id, ...period } of rows) {
      const list = byId.get(id) ?? [];
      list.push(period);
      byId.set(id, list);
    }
    return byId;
  }

  /** What earlier adjustments (on invoices that are not voided) billed per charge for one invoice's period. */
  async adjustedSoFar(originalInvoiceId: string, subscriptionId: string): Promise<Map<string, { quantity: string; amount: string }>> {
    const rows: Array<{ charge_key: string; quantity: string; amount: string }> = await this.dataSource.query(
      `SELECT a.charge_key, sum(a.quantity)::text AS quantity, sum(a.amount)::text AS amount
       FROM invoicing.usage_adjustments a JOIN invoicing.invoices carrier ON carrier.id = a.invoice_id
       WHERE a.original_invoice_id = $1 AND a.subscription_id = $2 AND carrier.status <> 'voided' AND a.charge_key <> '*'
       GROUP BY a.charge_key`,
      [originalInvoiceId, subscriptionId],
    );
    return new Map(rows.map((row) => [row.charge_key, { quantity: row.quantity, amount: row.amount }]));
  }

  /** In the issuing transaction, with the invoice that carries them. */
  async insert(manager: EntityManager, invoiceId: string, rows: readonly UsageAdjustmentRow[]): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO invoicing.usage_adjustments (invoice_id, original_invoice_id, subscription_id, period_start, charge_key, quantity, amount, repriced_at)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::numeric[], $7::numeric[], $8::timestamptz[])`,
      [
        invoiceId,
        rows.map((row) => row.original_invoice_id),
        rows.map((row) => row.subscription_id),
        rows.map((row) => row.period_start.toISOString()),
        rows.map((row) => row.charge_key),
        rows.map((row) => row.quantity),
        rows.map((row) => row.amount),
        rows.map((row) => row.repriced_at.toISOString()),
      ],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CouponDuration } from '@abaxus/domain/adjustments/invoice-adjustments';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { pgCode, PG_UNIQUE_VIOLATION } from '../database/pg-errors';

export interface CouponRow {
  id: string;
  seq: string;
  percent_off: string | null;
  amount_off: string | null;
  currency: string | null;
  duration: CouponDuration;
  duration_in_cycles: number | null;
  max_redemptions: number | null;
  redeem_by: Date | null;
  times_redeemed: number;
  created_at: Date;
}

export interface DiscountRow {
  id: string;
  customer_id: string;
  subscription_id: string | null;
  coupon_id: string;
  created_at: Date;
}

/** A discount with its coupon and the invoices (not voided) it already reduced. */
export interface ActiveDiscountRow extends DiscountRow {
  coupon: CouponRow;
  cycles_used: number;
}

const COUPON_COLUMNS = `id, seq::text AS seq, percent_off::text AS percent_off, amount_off::text AS amount_off, currency, duration, duration_in_cycles,
  max_redemptions, redeem_by, times_redeemed, created_at`;

@Injectable()
export class CouponsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: Omit<CouponRow, 'seq' | 'times_redeemed'>): Promise<CouponRow> {
    try {
      const rows: CouponRow[] = await this.dataSource.query(
        `INSERT INTO invoicing.coupons (id, percent_off, amount_off, currency, duration, duration_in_cycles, max_redemptions, redeem_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COUPON_COLUMNS}`,
        [row.id, row.percent_off, row.amount_off, row.currency, row.duration, row.duration_in_cycles, row.max_redemptions, row.redeem_by, row.created_at],
      );
      return rows[0];
    } catch (error) {
      if (pgCode(error) === PG_UNIQUE_VIOLATION) throw new ProblemException(409, 'coupon_exists', `A coupon with id ${row.id} already exists.`);
      throw error;
    }
  }

  async find(id: string, manager: EntityManager = this.dataSource.manager): Promise<CouponRow | undefined> {
    const rows: CouponRow[] = await manager.query(`SELECT ${COUPON_COLUMNS} FROM invoicing.coupons WHERE id = $1`, [id]);
    return rows[0];
  }

  async list(limit: number, beforeSeq: string | undefined): Promise<CouponRow[]> {
    return this.dataSource.query(`SELECT ${COUPON_COLUMNS} FROM invoicing.coupons WHERE ($1::bigint IS NULL OR seq < $1) ORDER BY seq DESC LIMIT $2`, [
      beforeSeq ?? null,
      limit + 1,
    ]);
  }

  /** One more redemption, unless that would pass max_redemptions: safe under concurrency (a single guarded UPDATE). */
  async redeem(manager: EntityManager, couponId: string): Promise<boolean> {
    const [, affected]: [unknown[], number] = await manager.query(
      `UPDATE invoicing.coupons SET times_redeemed = times_redeemed + 1
       WHERE id = $1 AND (max_redemptions IS NULL OR times_redeemed < max_redemptions)`,
      [couponId],
    );
    return affected === 1;
  }

  async insertDiscount(manager: EntityManager, row: DiscountRow): Promise<void> {
    await manager.query('INSERT INTO invoicing.discounts (id, customer_id, subscription_id, coupon_id, created_at) VALUES ($1, $2, $3, $4, $5)', [
      row.id,
      row.customer_id,
      row.subscription_id,
      row.coupon_id,
      row.created_at,
    ]);
  }

  /** The customer's discounts, oldest first, with their coupons and cycles used. */
  async discountsOf(manager: EntityManager, customerId: string): Promise<ActiveDiscountRow[]> {
    const rows: Array<DiscountRow & { cycles_used: number }> = await manager.query(
      `SELECT d.id, d.customer_id, d.subscription_id, d.coupon_id, d.created_at,
         (SELECT count(*)::int FROM invoicing.discount_applications a WHERE a.discount_id = d.id AND a.voided_at IS NULL) AS cycles_used
       FROM invoicing.discounts d WHERE d.customer_id = $1 ORDER BY d.seq`,
      [customerId],
    );
    if (rows.length === 0) return [];
    const coupons: CouponRow[] = await manager.query(`SELECT ${COUPON_COLUMNS} FROM invoicing.coupons WHERE id = ANY($1::text[])`, [
      rows.map((row) => row.coupon_id),
    ]);
    return rows.map((row) => ({ ...row, coupon: coupons.find((coupon) => coupon.id === row.coupon_id)! }));
  }

  /** discountsOf for many customers in two reads (a group of invoices issued together), by customer. */
  async discountsOfMany(manager: EntityManager, customerIds: readonly string[]): Promise<Map<string, ActiveDiscountRow[]>> {
    const byCustomer = new Map<string, ActiveDiscountRow[]>();
    const rows: Array<DiscountRow & { cycles_used: number }> = await manager.query(
      `SELECT d.id, d.customer_id, d.subscription_id, d.coupon_id, d.created_at,
         (SELECT count(*)::int FROM invoicing.discount_applications a WHERE a.discount_id = d.id AND a.voided_at IS NULL) AS cycles_used
       FROM invoicing.discounts d WHERE d.customer_id = ANY($1::text[]) ORDER BY d.seq`,
      [customerIds],
    );
    if (rows.length === 0) return byCustomer;
    const coupons: CouponRow[] = await manager.query(`SELECT ${COUPON_COLUMNS} FROM invoicing.coupons WHERE id = ANY($1::text[])`, [
      [...new Set(rows.map((row) => row.coupon_id))],
    ]);
    for (const row of rows) {
      const list = byCustomer.get(row.customer_id) ?? [];
      list.push({ ...row, coupon: coupons.find((coupon) => coupon.id === row.coupon_id)! });
      byCustomer.set(row.customer_id, list);
    }
    return byCustomer;
  }

  async recordApplication(manager: EntityManager, discountId: string, invoiceId: string, amount: string): Promise<void> {
    await manager.query('INSERT INTO invoicing.discount_applications (discount_id, invoice_id, amount) VALUES ($1, $2, $3)', [discountId, invoiceId, amount]);
  }

  /** A voided invoice gives its cycle back to each discount that reduced it. */
  async voidApplications(manager: EntityManager, invoiceId: string, at: Date): Promise<void> {
    await manager.query('UPDATE invoicing.discount_applications SET voided_at = $2 WHERE invoice_id = $1 AND voided_at IS NULL', [invoiceId, at]);
  }
}

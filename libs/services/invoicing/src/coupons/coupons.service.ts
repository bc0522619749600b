import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { randomBytes } from 'node:crypto';
import { checkCouponTerms } from '@abaxus/domain/adjustments/adjustment-validation';
import { ApplicableDiscount, discountStillApplies } from '@abaxus/domain/adjustments/invoice-adjustments';
import { formatAmount, formatDecimal } from '@abaxus/domain/money/decimal';
import { toDate } from '@abaxus/domain/time/rfc3339-timestamp';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ListQueryDto, listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { Clock } from '@abaxus/platform/time/clock';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { EntityManager } from 'typeorm';
import { CustomerTime } from '../adjustments/customer-time';
import { CreateCouponDto, CreateDiscountDto } from './coupon.dto';
import { ActiveDiscountRow, CouponRow, CouponsRepository, DiscountRow } from './coupons.repository';

export interface CouponJson {
  id: string;
  percent_off: string | null;
  amount_off: string | null;
  currency: string | null;
  duration: CouponRow['duration'];
  duration_in_cycles: number | null;
  max_redemptions: number | null;
  redeem_by: string | null;
  times_redeemed: number;
  valid: boolean;
  created_at: string;
}

export interface DiscountJson {
  id: string;
  customer_id: string;
  subscription_id: string | null;
  coupon: CouponJson;
  created_at: string;
}

const couponJson = (row: CouponRow, now: Date): CouponJson => ({
  id: row.id,
  percent_off: row.percent_off === null ? null : formatDecimal(new Big(row.percent_off)),
  amount_off: row.amount_off === null ? null : formatAmount(new Big(row.amount_off), row.currency!),
  currency: row.currency,
  duration: row.duration,
  duration_in_cycles: row.duration_in_cycles,
  max_redemptions: row.max_redemptions,
  redeem_by: row.redeem_by?.toISOString() ?? null,
  times_redeemed: row.times_redeemed,
  valid: (row.redeem_by === null || row.redeem_by.getTime() > now.getTime()) && (row.max_redemptions === null || row.times_redeemed < row.max_redemptions),
  created_at: row.created_at.toISOString(),
});

/**
 * Coupons and the discounts that attach them to customers (API.md Part II §7). Attaching redeems
 * the coupon (max_redemptions holds under concurrency); a discount reduces each issued invoice
 * while its duration lasts, counted in issued invoices that were not voided.
 */
@Injectable()
export class CouponsService {
  constructor(
    private readonly coupons: CouponsRepository,
    private readonly outbox: ServiceOutbox,
    private readonly catalog: CatalogClient,
    private readonly customerTime: CustomerTime,
    private readonly clock: Clock,
  ) {}

  async create(body: CreateCouponDto): Promise<CouponJson> {
    const terms = checkCouponTerms(body);
    if (!terms.ok) throw ProblemException.validation(terms.issues);
    const now = this.clock.now();
    const row = await this.coupons.insert({
      id: body.id,
      percent_off: terms.value.percentOff?.toFixed() ?? null,
      amount_off: terms.value.amountOff?.toFixed() ?? null,
      currency: terms.value.currency,
      duration: terms.value.duration,
      duration_in_cycles: terms.value.durationInCycles,
      max_redemptions: body.max_redemptions ?? null,
      redeem_by: body.redeem_by ? toDate(body.redeem_by, 'redeem_by') : null,
      created_at: now,
    });
    return couponJson(row, now);
  }

  async get(id: string): Promise<CouponJson> {
    const row = await this.coupons.find(id);
    if (!row) throw ProblemException.notFound('Coupon', id);
    return couponJson(row, this.clock.now());
  }

  async list(query: ListQueryDto): Promise<Page<CouponJson>> {
    const limit = listLimit(query);
    let beforeSeq: string | undefined;
    if (query.starting_after !== undefined) {
      beforeSeq = (await this.coupons.find(query.starting_after))?.seq;
      if (beforeSeq === undefined) throw unknownCursor(query.starting_after);
    }
    const page = toPage(await this.coupons.list(limit, beforeSeq), limit, (row) => row.id);
    const now = this.clock.now();
    return { ...page, data: page.data.map((row) => couponJson(row, now)) };
  }

  /** Attaches a coupon: refused when it expired, is used up, or is in another currency than the subscription. */
  async attach(customerId: string, body: CreateDiscountDto): Promise<DiscountJson> {
    await this.catalog.customer(customerId);
    const coupon = await this.coupons.find(body.coupon_id);
    if (!coupon) {
      throw new ProblemException(422, 'unknown_coupon', `No coupon ${body.coupon_id}.`, { errors: [{ field: 'coupon_id', message: 'is not a known coupon' }] });
    }
    const now = await this.customerTime.now(customerId);
    if (coupon.redeem_by && coupon.redeem_by.getTime() <= now.getTime()) {
      throw new ProblemException(422, 'coupon_expired', `Coupon ${coupon.id} could be redeemed until ${coupon.redeem_by.toISOString()}.`, {
        errors: [{ field: 'coupon_id', message: 'has expired' }],
      });
    }
    if (body.subscription_id) {
      const subscription = (await this.catalog.subscriptionsOf(customerId)).find((candidate) => candidate.id === body.subscription_id);
      if (!subscription) {
        throw new ProblemException(422, 'unknown_subscription', `Customer ${customerId} has no subscription ${body.subscription_id}.`, {
          errors: [{ field: 'subscription_id', message: 'is not a subscription of this customer' }],
        });
      }
      const currency = await this.catalog.planCurrency(subscription.plan_id, subscription.plan_version);
      if (coupon.currency && coupon.currency !== currency) {
        throw new ProblemException(
          422,
          'currency_mismatch',
          `Coupon ${coupon.id} is in ${coupon.currency}; subscription ${subscription.id} bills in ${currency}.`,
          {
            errors: [{ field: 'coupon_id', message: `is in ${coupon.currency}, the subscription in ${currency}` }],
          },
        );
      }
    }
    const discount: DiscountRow = {
      id: `di_${randomBytes(12).toString('hex')}`,
      customer_id: customerId,
      subscription_id: body.subscription_id ?? null,
      coupon_id: coupon.id,
      created_at: now,
    };
    const redeemed = await this.outbox.transaction(async (tx) => {
      if (!(await this.coupons.redeem(tx.manager, coupon.id))) return undefined;
      await this.coupons.insertDiscount(tx.manager, discount);
      return this.coupons.find(coupon.id, tx.manager);
    });
    if (!redeemed) {
      throw new ProblemException(422, 'coupon_exhausted', `Coupon ${coupon.id} was redeemed its maximum ${coupon.max_redemptions} times.`, {
        errors: [{ field: 'coupon_id', message: 'has no redemptions left' }],
      });
    }
    return {
      id: discount.id,
      customer_id: customerId,
      subscription_id: discount.subscription_id,
      coupon: couponJson(redeemed, now),
      created_at: now.toISOString(),
    };
  }

  /**
   * In the issuing transaction: the discounts that reduce this invoice, in the order they were
   * attached. A subscription's discount counts only on invoices covering that subscription; an
   * amount off counts only in its own currency.
   */
  async applicable(
    manager: EntityManager,
    customerId: string,
    currency: string,
    subscriptionIds: readonly string[],
    known?: ActiveDiscountRow[],
  ): Promise<ApplicableDiscount[]> {
    const discounts = known ?? (await this.coupons.discountsOf(manager, customerId));
    return discounts
      .filter((discount) => discount.subscription_id === null || subscriptionIds.includes(discount.subscription_id))
      .filter((discount) => discount.coupon.currency === null || discount.coupon.currency === currency)
      .filter((discount) => discountStillApplies(discount.coupon.duration, discount.coupon.duration_in_cycles, discount.cycles_used))
      .map((discount) => ({
        discountId: discount.id,
        couponId: discount.coupon.id,
        terms:
          discount.coupon.percent_off !== null ? { percentOff: new Big(discount.coupon.percent_off) } : { amountOff: new Big(discount.coupon.amount_off!) },
      }));
  }

  /** The discounts of many customers in one go (the issuing transaction of a group), for applicable's `known`. */
  discountsOfMany(manager: EntityManager, customerIds: readonly string[]): Promise<Map<string, ActiveDiscountRow[]>> {
    return this.coupons.discountsOfMany(manager, customerIds);
  }

  recordApplication(manager: EntityManager, discountId: string, invoiceId: string, amount: Big): Promise<void> {
    return this.coupons.recordApplication(manager, discountId, invoiceId, amount.toFixed());
  }

  voidApplications(manager: EntityManager, invoiceId: string, at: Date): Promise<void> {
    return this.coupons.voidApplications(manager, invoiceId, at);
  }
}

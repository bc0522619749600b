import { Injectable } from '@nestjs/common';
import type { SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { phasePieces, phasesOf } from '@abaxus/domain/billing/subscription-phase';
import { PricingClient } from '../pricing/pricing.client';
import { settle, Settled } from '@abaxus/platform/service/settled';
import { cycledSubscription, ProratedCalculation, proratedCalculation } from './prorated-calculation';

/**
 * Prices one subscription over a billed window: a subscription that never changed plan in one
 * calculation as before; one that did in one calculation per phase piece (usage split at the
 * instant of each change, tiers counted per phase, flat fees prorated by the seconds each phase
 * covers), each line marked with its phase. The calculations are stored by pricing.
 */
@Injectable()
export class SubscriptionPricer {
  constructor(private readonly pricing: PricingClient) {}

  /**
   * price for many subscriptions (a billing run's batch): those that never changed plan in one
   * call to pricing for all, the others as price does; each answers on its own (one failing does
   * not fail the others).
   */
  async priceMany(
    items: ReadonlyArray<{ customerId: string; subscription: SubscriptionRecord; from: Date; to: Date }>,
  ): Promise<Array<Settled<ProratedCalculation[]>>> {
    const single = items.flatMap((item, index) => (phasesOf(item.subscription).length === 1 ? [{ item, index }] : []));
    const [calculations, others] = await Promise.all([
      single.length === 0
        ? Promise.resolve([])
        : this.pricing.calculateMany(
            single.map(({ item }) => ({ customerId: item.customerId, subscriptionId: item.subscription.id, start: item.from, end: item.to })),
          ),
      Promise.all(
        items.map((item) =>
          phasesOf(item.subscription).length === 1 ? undefined : settle(this.price(item.customerId, item.subscription, item.from, item.to)),
        ),
      ),
    ]);
    const answers: Array<Settled<ProratedCalculation[]>> = others.map((other) => other ?? { ok: false, error: new Error('not priced') });
    for (const [position, { item, index }] of single.entries()) {
      const calculation = calculations[position];
      answers[index] = calculation.ok ? { ok: true, value: [proratedCalculation(calculation.value, cycledSubscription(item.subscription))] } : calculation;
    }
    return answers;
  }

  async price(customerId: string, subscription: SubscriptionRecord, from: Date, to: Date): Promise<ProratedCalculation[]> {
    const cycled = cycledSubscription(subscription);
    const phases = phasesOf(subscription);
    if (phases.length === 1) {
      const calculation = await this.pricing.calculate({ customerId, subscriptionId: subscription.id, start: from, end: to });
      return [proratedCalculation(calculation, cycled)];
    }
    return Promise.all(
      phasePieces(phases, from, to).map(async ({ phase, from: start, to: end }) => {
        const calculation = await this.pricing.calculate({
          customerId,
          subscriptionId: subscription.id,
          start,
          end,
          plan: { plan_id: phase.plan_id, plan_version: phase.plan_version },
          // A weighted_sum (seats, storage) is weighed over the whole billed window: the phases add up to it.
          weightPeriod: { start: from, end: to },
        });
        return proratedCalculation(calculation, cycled, { plan_id: phase.plan_id, plan_version: phase.plan_version, start: phase.start, end: phase.end });
      }),
    );
  }
}

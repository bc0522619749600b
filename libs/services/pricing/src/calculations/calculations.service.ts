import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { planVersionToPrice } from '@abaxus/domain/billing/subscription-phase';
import { calculatePlanCharges, GroupUsage, planUsageReads, UsageRead } from '@abaxus/domain/pricing/plan-calculation';
import { usageWindow } from '@abaxus/domain/pricing/usage-window';
import { toDate } from '@abaxus/domain/time/rfc3339-timestamp';
import { BatchItemProblem, batchItemProblem, ProblemException } from '@abaxus/platform/http/problem.exception';
import type { SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { CatalogClient, PlanVersion } from '@abaxus/catalog-client/catalog.client';
import { settle, Settled } from '@abaxus/platform/service/settled';
import { UsageClient, UsageScope } from '../usage/usage.client';
import type { CalculationJson } from '@abaxus/contracts/pricing-calculation';
import { CalculatePricingDto } from './calculate-pricing.dto';
import { calculationToJson } from './calculation-response';
import { CalculationsRepository } from './calculations.repository';

export interface StoredCalculation {
  id: string;
  /** The JSON text, exactly as stored and as every later read returns it. */
  body: string;
}

/** A calculation request checked against the catalog, its usage reads listed. */
interface PreparedCalculation {
  subscription: SubscriptionRecord;
  plan: PlanVersion;
  window: Extract<ReturnType<typeof usageWindow>, { ok: true }>;
  reads: ReturnType<typeof planUsageReads>;
  asked: UsageRead[];
  scope: UsageScope;
  periodStart: Date;
  periodEnd: Date;
}

/** One per calculation asked, in order: the stored calculation, or the problem calculate would have answered. */
export interface CalculationBatchAnswer {
  results: Array<{ calculation: CalculationJson } | { error: BatchItemProblem }>;
}

/** What a preview answers: a calculation that is not stored, so it has no id. */
export type CalculationPreview = Omit<CalculationJson, 'calculation_id' | 'created_at'>;

/**
 * Prices a subscription's pinned plan version (or the requested version of one of its phases) over a period with the exact (strong) usage of each
 * metered charge, and stores the answer for good (or, for a preview, answers it only).
 */
@Injectable()
export class CalculationsService {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly usage: UsageClient,
    private readonly calculations: CalculationsRepository,
  ) {}

  async calculate(request: CalculatePricingDto): Promise<StoredCalculation> {
    const json = await this.price(request);
    const body = JSON.stringify(json);
    await this.calculations.insert(json, body);
    return { id: json.calculation_id, body };
  }

  /** The same pricing, not stored (usage alerts watch amounts with it). */
  async preview(request: CalculatePricingDto): Promise<CalculationPreview> {
    const { calculation_id: _id, created_at: _created, ...preview } = await this.price(request);
    return preview;
  }

  private async price(request: CalculatePricingDto): Promise<CalculationJson> {
    const prepared = await this.prepare(request);
    // Every read of the calculation in one call: aggregation waits for its pipeline once.
    const answers = prepared.asked.length === 0 ? [] : await this.usage.exactUsage(prepared.scope, prepared.asked);
    return this.finish(prepared, answers);
  }

  /**
   * Many calculations, each priced and stored as calculate does or refused on its own, in order:
   * every usage read of all of them in one call to aggregation, all stored in one insert.
   */
  async calculateMany(requests: readonly CalculatePricingDto[]): Promise<CalculationBatchAnswer> {
    // Every subscription asked of the catalog in one call.
    const subscriptions = await this.catalog.subscriptionsById([...new Set(requests.map((request) => request.subscription_id))]);
    const prepared = await Promise.all(
      requests.map((request) => {
        const subscription = subscriptions.get(request.subscription_id);
        return settle(subscription ? this.prepare(request, subscription) : Promise.reject(ProblemException.notFound('Subscription', request.subscription_id)));
      }),
    );
    const reading = prepared.flatMap((entry, index) => (entry.ok && entry.value.asked.length > 0 ? [{ index, prepared: entry.value }] : []));
    const usage = reading.length === 0 ? [] : await this.usage.exactUsageMany(reading.map(({ prepared: one }) => ({ scope: one.scope, reads: one.asked })));
    const usageOf = new Map(reading.map(({ index }, position) => [index, usage[position]]));
    const results = prepared.map((entry, index): Settled<CalculationJson> => {
      if (!entry.ok) return entry;
      const answers = usageOf.get(index);
      if (answers && !answers.ok) return answers;
      try {
        return { ok: true, value: this.finish(entry.value, answers?.ok ? answers.value : []) };
      } catch (error) {
        return { ok: false, error };
      }
    });
    const stored = results.flatMap((result) => (result.ok ? [{ calculation: result.value, body: JSON.stringify(result.value) }] : []));
    await this.calculations.insertMany(stored);
    return {
      results: results.map((result) => (result.ok ? { calculation: result.value } : { error: batchItemProblem(result.error) })),
    };
  }

  /** Everything a calculation needs but its usage: checked against the catalog. */
  private async prepare(request: CalculatePricingDto, known?: SubscriptionRecord): Promise<PreparedCalculation> {
    const periodStart = toDate(request.period_start, 'period_start');
    const periodEnd = toDate(request.period_end, 'period_end');
    if (periodEnd.getTime() <= periodStart.getTime()) {
      throw ProblemException.validation([{ field: 'period_end', message: 'period_end must be after period_start' }]);
    }
    const weightPeriod = weightPeriodOf(request, periodStart, periodEnd);
    const subscription = known ?? (await this.catalog.subscription(request.subscription_id));
    if (subscription.customer_id !== request.customer_id) {
      throw new ProblemException(
        422,
        'subscription_customer_mismatch',
        `Subscription ${subscription.id} belongs to customer ${subscription.customer_id}, not ${request.customer_id}.`,
      );
    }
    const window = usageWindow({
      periodStart,
      periodEnd,
      subscriptionStart: toDate(subscription.start_date, 'start_date'),
      canceledAt: subscription.canceled_at ? toDate(subscription.canceled_at, 'canceled_at') : null,
    });
    if (!window.ok) throw new ProblemException(422, window.code, `${window.message}.`);
    const requested =
      request.plan_id !== undefined && request.plan_version !== undefined ? { plan_id: request.plan_id, plan_version: request.plan_version } : undefined;
    const priced = planVersionToPrice(subscription, requested);
    if (!priced) {
      throw new ProblemException(
        422,
        'plan_not_of_subscription',
        `Subscription ${subscription.id} never had plan ${request.plan_id} version ${request.plan_version}.`,
        {
          errors: [{ field: 'plan_version', message: 'must be the plan version of one of the subscription’s phases' }],
        },
      );
    }
    const plan = await this.catalog.planVersion(priced.plan_id, priced.plan_version);

    // Every read of the calculation in one call: aggregation waits for its pipeline once.
    const reads = planUsageReads(plan.charges);
    const asked = window.billable ? [...reads.charges.filter((read): read is UsageRead => read !== null), ...reads.unpriced] : [];
    const scope = {
      customerId: subscription.customer_id,
      subscriptionId: subscription.id,
      start: window.start,
      end: window.end,
      ...(weightPeriod ? { weightPeriod } : {}),
    };
    return { subscription, plan, window, reads, asked, scope, periodStart, periodEnd };
  }

  /** The calculation of a prepared request from its usage (in the order of its reads). */
  private finish({ subscription, plan, window, reads, asked, periodStart, periodEnd }: PreparedCalculation, answers: GroupUsage[][]): CalculationJson {
    const usageOf = new Map(asked.map((read, index) => [read, answers[index]]));
    // An unbillable window prices nothing: every metered charge gets an empty usage (one zero line).
    const calculation = calculatePlanCharges(
      plan.charges,
      plan.currency,
      reads.charges.map((read) => (read === null ? null : (usageOf.get(read) ?? []))),
      window.billable,
      reads.unpriced.flatMap((read) => (usageOf.get(read) ?? []).map(({ group, quantity }) => ({ metricKey: read.metricKey, dimensions: group, quantity }))),
    );

    return calculationToJson(
      {
        id: `calc_${randomBytes(12).toString('hex')}`,
        customerId: subscription.customer_id,
        subscriptionId: subscription.id,
        planId: plan.id,
        planVersion: plan.version,
        currency: plan.currency,
        periodStart,
        periodEnd,
        usageStart: window.start,
        usageEnd: window.end,
        createdAt: new Date(),
      },
      calculation,
    );
  }

  async find(id: string): Promise<StoredCalculation> {
    const body = await this.calculations.findBody(id);
    if (body === undefined) throw ProblemException.notFound('Calculation', id);
    return { id, body };
  }
}

/** The period a weighted_sum is weighed over (a plan phase's cycle), which must contain the priced period. */
function weightPeriodOf(request: CalculatePricingDto, periodStart: Date, periodEnd: Date): { start: Date; end: Date } | undefined {
  if (request.weight_period_start === undefined || request.weight_period_end === undefined) return undefined;
  const start = toDate(request.weight_period_start, 'weight_period_start');
  const end = toDate(request.weight_period_end, 'weight_period_end');
  if (start.getTime() > periodStart.getTime() || end.getTime() < periodEnd.getTime()) {
    throw ProblemException.validation([{ field: 'weight_period_start', message: 'the weight period must contain [period_start, period_end)' }]);
  }
  return { start, end };
}

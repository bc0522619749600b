import { Injectable } from '@nestjs/common';
import { PricePlanVersionRecord } from '@abaxus/contracts/catalog-events';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { CatalogTransactions } from '../catalog-events/catalog-transactions';
import { ListQueryDto, listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { MetricsService } from '../metrics/metrics.service';
import { parsePricePlanRequest, referencedMetricKeys } from './price-plan-request';
import { PricePlansRepository } from './price-plans.repository';

const VERSION_PATTERN = /^[1-9]\d{0,8}$/;

@Injectable()
export class PricePlansService {
  constructor(
    private readonly repository: PricePlansRepository,
    private readonly metrics: MetricsService,
    private readonly transactions: CatalogTransactions,
  ) {}

  /** A new id gives version 1; an existing one its next version. Earlier versions never change. */
  async create(body: unknown): Promise<PricePlanVersionRecord> {
    const knownMetrics = await this.metrics.existingKeys(referencedMetricKeys(body));
    const parsed = parsePricePlanRequest(body, knownMetrics);
    if (!parsed.ok) throw ProblemException.validation(parsed.errors);
    const plan = parsed.value;
    return this.transactions.run(async (tx) => {
      const version = await this.repository.nextVersion(tx.manager, plan.id);
      const record = await this.repository.insertVersion(tx.manager, { ...plan, version });
      tx.emit({ type: 'price_plan_version.created', data: record });
      return record;
    });
  }

  async getLatest(planId: string): Promise<PricePlanVersionRecord> {
    const plan = await this.repository.findLatest(planId);
    if (!plan) throw ProblemException.notFound('Price plan', planId);
    return plan;
  }

  /** Every plan in its latest version (older versions: GET /v1/price-plans/{id}/versions). */
  async listLatest(query: ListQueryDto): Promise<Page<PricePlanVersionRecord>> {
    const limit = listLimit(query);
    const rows = await this.repository.listLatest(limit + 1, query.starting_after);
    if (!rows) throw unknownCursor(query.starting_after!);
    return toPage(rows, limit, (plan) => plan.id);
  }

  async getVersion(planId: string, version: string): Promise<PricePlanVersionRecord> {
    const plan = VERSION_PATTERN.test(version) ? await this.repository.findVersion(planId, Number(version)) : undefined;
    if (!plan) throw new ProblemException(404, 'not_found', `Price plan "${planId}" has no version "${version}".`);
    return plan;
  }

  async listVersions(planId: string, query: ListQueryDto): Promise<Page<PricePlanVersionRecord>> {
    const limit = listLimit(query);
    const cursor = query.starting_after;
    if (cursor !== undefined && !VERSION_PATTERN.test(cursor)) {
      throw ProblemException.validation([{ field: 'starting_after', message: 'must be a version number (the next_cursor of a previous page)' }]);
    }
    // An unknown plan is a 404 rather than an empty list.
    if ((await this.repository.latestVersionNumber(planId)) === undefined) throw ProblemException.notFound('Price plan', planId);
    const rows = await this.repository.listVersions(planId, limit + 1, cursor === undefined ? undefined : Number(cursor));
    return toPage(rows, limit, (plan) => String(plan.version));
  }

  /** One version of a plan; undefined when it does not exist. */
  version(planId: string, version: number): Promise<PricePlanVersionRecord | undefined> {
    return this.repository.findVersion(planId, version);
  }

  /** The version a subscription created now is pinned to; undefined for an unknown plan. */
  latestVersion(planId: string): Promise<PricePlanVersionRecord | undefined> {
    return this.repository.findLatest(planId);
  }
}

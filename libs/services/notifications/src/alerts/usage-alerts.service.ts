import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { parseAlertThreshold } from '@abaxus/domain/alerts/usage-alert-threshold';
import { formatDecimal } from '@abaxus/domain/money/decimal';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';
import { Clock } from '@abaxus/platform/time/clock';
import { alertToJson, UsageAlertJson } from './usage-alert-json';
import { CreateUsageAlertDto, ListUsageAlertsQuery } from './usage-alert.dto';
import { UsageAlertsRepository } from './usage-alerts.repository';

@Injectable()
export class UsageAlertsService {
  constructor(
    private readonly alerts: UsageAlertsRepository,
    private readonly http: ServiceHttpClient,
    private readonly clock: Clock,
  ) {}

  async create(body: CreateUsageAlertDto): Promise<UsageAlertJson> {
    const parsed = parseAlertThreshold(body.threshold);
    if (!parsed.ok) throw ProblemException.validation(parsed.errors);
    if (parsed.threshold.kind === 'usage' && body.metric_key === undefined) {
      throw ProblemException.validation([{ field: 'metric_key', message: 'is required for a usage threshold (usage is counted per metric)' }]);
    }
    if (body.filters !== undefined && Object.keys(body.filters).length > 0) {
      throw new ProblemException(
        422,
        'alert_filters_not_supported',
        'Alerts cannot filter by event properties yet (metrics have no dimensions): leave out "filters".',
        {
          errors: [{ field: 'filters', message: 'must be empty' }],
        },
      );
    }
    await this.mustExist('customer_id', `/v1/customers/${encodeURIComponent(body.customer_id)}`, `Customer "${body.customer_id}"`, 'unknown customer');
    if (body.metric_key !== undefined) {
      await this.mustExist('metric_key', `/v1/metrics/${encodeURIComponent(body.metric_key)}`, `Metric "${body.metric_key}"`, 'unknown metric');
    }
    const threshold = parsed.threshold;
    const row = await this.alerts.insert({
      id: `alert_${randomBytes(12).toString('hex')}`,
      customer_id: body.customer_id,
      metric_key: body.metric_key ?? null,
      threshold_kind: threshold.kind,
      threshold_value: formatDecimal(threshold.value),
      threshold_currency: threshold.kind === 'amount' ? threshold.currency : null,
      created_at: this.clock.now(),
    });
    return alertToJson(row, []);
  }

  async get(id: string): Promise<UsageAlertJson> {
    const row = await this.alerts.find(id);
    if (!row) throw ProblemException.notFound('Alert', id);
    return alertToJson(row, await this.alerts.triggersOf([id]));
  }

  async list(query: ListUsageAlertsQuery): Promise<Page<UsageAlertJson>> {
    const limit = listLimit(query);
    let beforeSequence: string | undefined;
    if (query.starting_after !== undefined) {
      beforeSequence = await this.alerts.sequenceOf(query.starting_after);
      if (beforeSequence === undefined) throw unknownCursor(query.starting_after);
    }
    const rows = await this.alerts.list({ customerId: query.customer_id, beforeSequence, limit });
    const triggers = await this.alerts.triggersOf(rows.map((row) => row.id));
    return toPage(
      rows.map((row) =>
        alertToJson(
          row,
          triggers.filter((trigger) => trigger.alert_id === row.id),
        ),
      ),
      limit,
      (alert) => alert.id,
    );
  }

  async delete(id: string): Promise<{ id: string; deleted: true }> {
    if (!(await this.alerts.delete(id))) throw ProblemException.notFound('Alert', id);
    return { id, deleted: true };
  }

  /** 404 naming the field when the catalog does not know the id; 503 when it cannot be asked. */
  private async mustExist(field: string, path: string, what: string, message: string): Promise<void> {
    const response = await this.http.call('catalog', 'GET', path, undefined, 10_000);
    if (response.status === 404) throw new ProblemException(404, 'not_found', `${what} does not exist.`, { errors: [{ field, message }] });
    if (response.status !== 200) throw new ProblemException(503, 'catalog_unavailable', `The catalog cannot be asked whether ${what} exists; retry later.`);
  }
}

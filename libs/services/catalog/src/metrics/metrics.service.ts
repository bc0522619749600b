import { Injectable } from '@nestjs/common';
import { MetricRecord } from '@abaxus/contracts/catalog-events';
import { parseMetricDimensions } from '@abaxus/domain/aggregation/metric-dimensions';
import { isValueTypeAllowed } from '@abaxus/domain/aggregation/metric-value';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { CatalogTransactions } from '../catalog-events/catalog-transactions';
import { ListQueryDto, listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { CreateMetricDto } from './create-metric.dto';
import { MetricsRepository } from './metrics.repository';

@Injectable()
export class MetricsService {
  constructor(
    private readonly repository: MetricsRepository,
    private readonly transactions: CatalogTransactions,
  ) {}

  async create(body: CreateMetricDto): Promise<MetricRecord> {
    const valueType = body.value_type ?? 'integer';
    if (!isValueTypeAllowed(body.aggregation_type, valueType)) {
      throw ProblemException.validation([{ field: 'value_type', message: `value_type ${valueType} is only allowed with aggregation_type unique_count` }]);
    }
    const dimensions = parseMetricDimensions(body.dimensions);
    if (!dimensions.ok) throw ProblemException.validation(dimensions.errors);
    const metric = {
      key: body.key,
      name: body.name ?? body.key,
      aggregation_type: body.aggregation_type,
      value_type: valueType,
      dimensions: dimensions.dimensions,
    };
    const created = await this.transactions.run(async (tx) => {
      const record = await this.repository.insert(tx.manager, metric);
      if (record) tx.emit({ type: 'metric.created', data: record });
      return record;
    });
    if (!created) {
      throw new ProblemException(409, 'metric_exists', `Metric "${body.key}" already exists; metrics are immutable, create one with another key.`);
    }
    return created;
  }

  async get(key: string): Promise<MetricRecord> {
    const metric = await this.repository.find(key);
    if (!metric) throw ProblemException.notFound('Metric', key);
    return metric;
  }

  async list(query: ListQueryDto): Promise<Page<MetricRecord>> {
    const limit = listLimit(query);
    const rows = await this.repository.list(limit + 1, query.starting_after);
    if (!rows) throw unknownCursor(query.starting_after!);
    return toPage(rows, limit, (metric) => metric.key);
  }

  /** The subset of keys that name existing metrics (for validating plan charges). */
  existingKeys(keys: string[]): Promise<Map<string, string[]>> {
    return this.repository.existingKeys(keys);
  }
}

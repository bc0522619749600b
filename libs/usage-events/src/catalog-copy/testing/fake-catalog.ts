import { randomBytes } from 'node:crypto';
import { CustomerRecord, MetricRecord, SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { ServiceStub } from '@abaxus/platform/testing/service-under-test';
import { customerCreated, metricCreated, subscriptionCreated } from './catalog-event-messages';

function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/**
 * The catalog as a service with a catalog read copy asks it over HTTP (GET /v1/metrics/{key},
 * /v1/customers/{id}, /v1/subscriptions/{id}), answered by a stub from what the test created;
 * anything else is 404, as the catalog answers an unknown id.
 */
export class FakeCatalog {
  private readonly metrics = new Map<string, MetricRecord>();
  private readonly customers = new Map<string, CustomerRecord>();
  private readonly subscriptions = new Map<string, SubscriptionRecord>();

  constructor(stub: ServiceStub) {
    const answer = (record: unknown) => (record ? { status: 200, body: record } : { status: 404, body: { status: 404, code: 'not_found', detail: 'unknown' } });
    stub.on('GET /v1/metrics/:key', (request) => answer(this.metrics.get(request.params.key)));
    stub.on('GET /v1/customers/:id', (request) => answer(this.customers.get(request.params.id)));
    stub.on('GET /v1/subscriptions/:id', (request) => answer(this.subscriptions.get(request.params.id)));
  }

  createMetric(aggregationType: MetricRecord['aggregation_type'], valueType: MetricRecord['value_type'] = 'integer', dimensions: string[] = []): string {
    const key = uniqueId(`m_${aggregationType}`);
    this.metrics.set(key, { ...metricCreated(key, aggregationType, valueType).data, dimensions });
    return key;
  }

  createCustomer(): string {
    const id = uniqueId('cust');
    this.customers.set(id, customerCreated(id).data);
    return id;
  }

  createSubscription(customerId: string): string {
    const id = uniqueId('sub');
    this.subscriptions.set(id, subscriptionCreated(id, customerId).data);
    return id;
  }
}

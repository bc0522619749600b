import { Injectable } from '@nestjs/common';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { Clock } from '@abaxus/platform/time/clock';
import { ListDeliveriesQuery } from '../endpoints/webhook-endpoint.dto';
import { WebhookEndpointsRepository } from '../endpoints/webhook-endpoints.repository';
import { DeliveryAttemptRow, DeliveryRow, WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDispatcher } from './webhook-dispatcher';

export interface DeliveryJson {
  id: string;
  endpoint_id: string;
  /** The event's id: the `webhook-id` header of every attempt. */
  event_id: string;
  event_type: string;
  customer_id: string | null;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  /** When the next attempt is due (pending deliveries only). */
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  /** The HTTP status of the last attempt's answer; null when none came (timeout, refused connection). */
  response_status: number | null;
  last_error: string | null;
  created_at: string;
  completed_at: string | null;
}

export interface DeliveryDetailJson extends DeliveryJson {
  /** The body every attempt posted. */
  payload: unknown;
  attempt_log: Array<{ attempt: number; attempted_at: string; response_status: number | null; error: string | null; duration_ms: number }>;
}

function deliveryToJson(row: DeliveryRow): DeliveryJson {
  return {
    id: row.id,
    endpoint_id: row.endpoint_id,
    event_id: row.event_id,
    event_type: row.event_type,
    customer_id: row.customer_id,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    last_attempt_at: row.last_attempt_at ? row.last_attempt_at.toISOString() : null,
    response_status: row.last_response_status,
    last_error: row.last_error,
    created_at: row.created_at.toISOString(),
    completed_at: row.completed_at ? row.completed_at.toISOString() : null,
  };
}

function attemptToJson(row: DeliveryAttemptRow): DeliveryDetailJson['attempt_log'][number] {
  return {
    attempt: row.attempt,
    attempted_at: row.attempted_at.toISOString(),
    response_status: row.response_status,
    error: row.error,
    duration_ms: row.duration_ms,
  };
}

/** The delivery log of an endpoint, and manual retries. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly dispatcher: WebhookDispatcher,
    private readonly clock: Clock,
  ) {}

  async list(endpointId: string, query: ListDeliveriesQuery): Promise<Page<DeliveryJson>> {
    await this.endpoint(endpointId);
    const limit = listLimit(query);
    let beforeSeq: string | undefined;
    if (query.starting_after !== undefined) {
      beforeSeq = (await this.deliveries.find(endpointId, query.starting_after))?.seq;
      if (beforeSeq === undefined) throw unknownCursor(query.starting_after);
    }
    const rows = await this.deliveries.list({ endpointId, status: query.status, eventType: query.event_type, beforeSeq, limit });
    return toPage(rows.map(deliveryToJson), limit, (delivery) => delivery.id);
  }

  async get(endpointId: string, id: string): Promise<DeliveryDetailJson> {
    await this.endpoint(endpointId);
    const row = await this.deliveries.find(endpointId, id);
    if (!row) throw ProblemException.notFound('Delivery', id);
    return { ...deliveryToJson(row), payload: JSON.parse(row.payload), attempt_log: (await this.deliveries.attemptsOf(id)).map(attemptToJson) };
  }

  /** Due at once; an endpoint that is disabled must be enabled first (409). */
  async retry(endpointId: string, id: string): Promise<DeliveryJson> {
    const endpoint = await this.endpoint(endpointId);
    if (endpoint.status !== 'enabled') {
      throw new ProblemException(
        409,
        'endpoint_disabled',
        `Webhook endpoint ${endpointId} is disabled; enable it (PATCH {"status": "enabled"}) to deliver again.`,
      );
    }
    if (!(await this.deliveries.retryNow(endpointId, id, this.clock.now()))) throw ProblemException.notFound('Delivery', id);
    this.dispatcher.wake();
    return deliveryToJson((await this.deliveries.find(endpointId, id))!);
  }

  private async endpoint(id: string) {
    const endpoint = await this.endpoints.find(id);
    if (!endpoint) throw ProblemException.notFound('Webhook endpoint', id);
    return endpoint;
  }
}

import { api, Page, query, WebhookDelivery, WebhookEndpoint } from '../api';
import { Link, Loaded, useAsync, When } from '../components';

/** How many of the newest refusals the page reads (one delivery detail each). */
const NEWEST = 50;

interface RejectedEvent {
  eventId: string;
  at: string;
  source: string;
  reason: string;
  customerId: string | null;
  idempotencyKey: string | null;
}

interface DeliveryDetail {
  event_id: string;
  created_at: string;
  payload: { data?: { source?: string; reason?: string; customer_id?: string | null; idempotency_key?: string | null } };
}

/**
 * Usage events the engine refused (a batch item or a dead-lettered message). The engine keeps them
 * only as `events.rejected` webhook deliveries, so they are read from the delivery log of the
 * endpoints subscribed to that event, newest first, once each (several endpoints get the same event).
 */
export function RejectedEventsPage() {
  const state = useAsync(async () => {
    const endpoints = await api.get<Page<WebhookEndpoint>>(`/v1/webhook-endpoints${query({ limit: 100 })}`);
    const subscribed = endpoints.data.filter((endpoint) => (endpoint.events as string[]).includes('events.rejected'));
    const seen = new Map<string, RejectedEvent>();
    for (const endpoint of subscribed) {
      const path = `/v1/webhook-endpoints/${encodeURIComponent(endpoint.id)}/deliveries`;
      const deliveries = await api.get<Page<WebhookDelivery>>(`${path}${query({ event_type: 'events.rejected', limit: NEWEST })}`);
      const fresh = deliveries.data.filter((delivery) => !seen.has(delivery.event_id));
      const details = await Promise.all(fresh.map((delivery) => api.get<DeliveryDetail>(`${path}/${encodeURIComponent(delivery.id)}`)));
      for (const detail of details) {
        const data = detail.payload.data ?? {};
        seen.set(detail.event_id, {
          eventId: detail.event_id,
          at: detail.created_at,
          source: data.source ?? '—',
          reason: data.reason ?? '—',
          customerId: data.customer_id ?? null,
          idempotencyKey: data.idempotency_key ?? null,
        });
      }
    }
    const events = [...seen.values()].sort((a, b) => b.at.localeCompare(a.at)).slice(0, NEWEST);
    return { subscribed: subscribed.length, events };
  }, []);
  return (
    <>
      <h1>Rejected events</h1>
      <Loaded state={state}>
        {({ subscribed, events }) =>
          subscribed === 0 ? (
            <p class="muted">
              Refused usage events are kept as <code>events.rejected</code> webhook deliveries: subscribe a webhook endpoint to that event to list them here.
            </p>
          ) : events.length === 0 ? (
            <p class="muted">No refused event.</p>
          ) : (
            <div class="table-wrap">
              <table data-testid="rejected-events">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Source</th>
                    <th scope="col">Customer</th>
                    <th scope="col">Idempotency key</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {events.map((event) => (
                    <tr key={event.eventId}>
                      <td>
                        <When at={event.at} />
                      </td>
                      <td>{event.source.replace('_', ' ')}</td>
                      <td>{event.customerId ? <Link to={`/customers/${encodeURIComponent(event.customerId)}`}>{event.customerId}</Link> : '—'}</td>
                      <td>
                        <code>{event.idempotencyKey ?? '—'}</code>
                      </td>
                      <td class="wrap">{event.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </>
  );
}

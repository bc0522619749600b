import { api, Page, query, WebhookDelivery, WebhookEndpoint } from '../api';
import { ConfirmAction, Link, Loaded, PagerControls, Status, useAsync, usePager, When } from '../components';

export function WebhooksPage() {
  const pager = usePager();
  const page = useAsync(() => api.get<Page<WebhookEndpoint>>(`/v1/webhook-endpoints${query({ limit: 50, starting_after: pager.cursor })}`), [pager.cursor]);
  return (
    <>
      <h1>Webhook endpoints</h1>
      <Loaded state={page}>
        {(data) => (
          <>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Endpoint</th>
                    <th scope="col">URL</th>
                    <th scope="col">Status</th>
                    <th scope="col">Events</th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.map((endpoint) => (
                    <tr key={endpoint.id}>
                      <td>
                        <Link to={`/webhooks/${encodeURIComponent(endpoint.id)}`}>{endpoint.id}</Link>
                      </td>
                      <td class="wrap">{endpoint.url}</td>
                      <td>
                        <Status value={endpoint.status} />
                        {endpoint.disabled_reason && <span class="muted"> ({endpoint.disabled_reason.replace(/_/g, ' ')})</span>}
                      </td>
                      <td>{endpoint.events.join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {data.data.length === 0 && <p class="muted">No webhook endpoint.</p>}
            <PagerControls pager={pager} hasMore={data.has_more} nextCursor={data.next_cursor} />
          </>
        )}
      </Loaded>
    </>
  );
}

export function WebhookEndpointPage({ id }: { id: string }) {
  const path = `/v1/webhook-endpoints/${encodeURIComponent(id)}`;
  const pager = usePager();
  const endpoint = useAsync(() => api.get<WebhookEndpoint>(path), [id]);
  const deliveries = useAsync(
    () => api.get<Page<WebhookDelivery>>(`${path}/deliveries${query({ limit: 50, starting_after: pager.cursor })}`),
    [id, pager.cursor],
  );
  return (
    <>
      <Loaded state={endpoint}>
        {(data) => (
          <>
            <h1>
              Endpoint <code>{data.id}</code>
            </h1>
            <p class="wrap">
              {data.url} — <Status value={data.status} />
            </p>
          </>
        )}
      </Loaded>
      <h2>Deliveries</h2>
      <Loaded state={deliveries}>
        {(page) => (
          <>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Status</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">Last answer</th>
                    <th scope="col">Last attempt</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((delivery) => (
                    <tr key={delivery.id}>
                      <td>
                        {delivery.event_type} <span class="muted">{delivery.customer_id}</span>
                      </td>
                      <td>
                        <Status value={delivery.status} />
                      </td>
                      <td>{delivery.attempts}</td>
                      <td>{delivery.response_status ?? delivery.last_error ?? '—'}</td>
                      <td>
                        <When at={delivery.last_attempt_at} />
                      </td>
                      <td>
                        {delivery.status !== 'pending' && (
                          <ConfirmAction
                            label="Retry"
                            question={`Send ${delivery.event_type} to this endpoint again?`}
                            run={() => api.post(`${path}/deliveries/${encodeURIComponent(delivery.id)}/retry`)}
                            onDone={deliveries.reload}
                          />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {page.data.length === 0 && <p class="muted">No delivery.</p>}
            <PagerControls pager={pager} hasMore={page.has_more} nextCursor={page.next_cursor} />
          </>
        )}
      </Loaded>
    </>
  );
}

import type { EndpointRow } from './webhook-endpoints.repository';

export interface WebhookEndpointJson {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  /** `disabled` by a request or, with `disabled_reason: "retries_exhausted"`, when a delivery failed for 3 days. */
  status: 'enabled' | 'disabled';
  disabled_reason: 'retries_exhausted' | 'requested' | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

export function endpointToJson(row: EndpointRow): WebhookEndpointJson {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.event_types,
    status: row.status,
    disabled_reason: row.disabled_reason,
    disabled_at: row.disabled_at ? row.disabled_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

import { ServiceName } from '@abaxus/platform/config/abaxus-config';

/** Which service owns each top-level resource under /v1. */
const ROUTES: Record<string, ServiceName> = {
  metrics: 'catalog',
  'price-plans': 'catalog',
  customers: 'catalog',
  subscriptions: 'catalog',
  events: 'ingestion',
  usage: 'aggregation',
  pricing: 'pricing',
  invoices: 'invoicing',
  webhooks: 'invoicing',
  'webhook-endpoints': 'notifications',
  alerts: 'notifications',
};

export function serviceForPath(path: string): ServiceName | undefined {
  const match = /^\/v1\/([^/?]+)/.exec(path);
  return match ? ROUTES[match[1]] : undefined;
}

/** Routes reached without an API key: the Stripe webhook is verified by its signature instead. */
export function isUnauthenticatedPath(path: string): boolean {
  return /^\/v1\/webhooks\/stripe\/?(\?|$)/.test(path);
}

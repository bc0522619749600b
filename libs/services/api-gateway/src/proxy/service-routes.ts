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
  'credit-notes': 'invoicing',
  webhooks: 'invoicing',
  'billing-runs': 'invoicing',
  'test-clocks': 'invoicing',
  settings: 'invoicing',
  'webhook-endpoints': 'notifications',
  alerts: 'notifications',
};

/** Customer sub-resources that belong to invoicing rather than the catalog. */
const INVOICING_CUSTOMER_PATHS = /^\/v1\/customers\/[^/?]+\/(upcoming-invoice|auto-collection)\/?(\?|$)/;

export function serviceForPath(path: string): ServiceName | undefined {
  if (INVOICING_CUSTOMER_PATHS.test(path)) return 'invoicing';
  const match = /^\/v1\/([^/?]+)/.exec(path);
  return match ? ROUTES[match[1]] : undefined;
}

/** Routes reached without an API key: the Stripe webhook is verified by its signature instead. */
export function isUnauthenticatedPath(path: string): boolean {
  return /^\/v1\/webhooks\/stripe\/?(\?|$)/.test(path);
}

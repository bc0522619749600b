// Friendly names for the generated OpenAPI shapes (generated/openapi.ts), as the SDK's callers use them.
import type { components, operations } from './generated/openapi';

type Schemas = components['schemas'];
type Query<Operation extends keyof operations> = NonNullable<operations[Operation]['parameters']['query']>;
type JsonBody<Operation extends keyof operations> = operations[Operation] extends { requestBody?: { content: { 'application/json': infer Body } } }
  ? Body
  : never;

export type Problem = Schemas['Problem'];
export type FieldError = Schemas['FieldError'];

export type MetricCreate = Schemas['MetricCreate'];
export type Metric = Schemas['Metric'];
export type PricePlanCreate = Schemas['PricePlanCreate'];
export type PricePlanVersion = Schemas['PricePlanVersion'];
export type CustomerCreate = Schemas['CustomerCreate'];
export type CustomerUpdate = Schemas['CustomerUpdate'];
export type Customer = Schemas['Customer'];
export type SubscriptionCreate = Schemas['SubscriptionCreate'];
export type SubscriptionCancel = Schemas['SubscriptionCancel'];
export type Subscription = Schemas['Subscription'];

export type UsageEvent = Schemas['UsageEvent'];
/** A usage event as the SDK takes it: without an `idempotency_key`, one is made before the first attempt. */
export type EventInput = Omit<UsageEvent, 'idempotency_key'> & { idempotency_key?: string };
export type EventAccepted = Schemas['EventAccepted'];
export type EventItemResult = Schemas['EventItemResult'];

export type UsageQuery = Schemas['UsageQuery'];
export type UsageValue = Schemas['UsageValue'];
export type UsageHistogram = Schemas['UsageHistogram'];
export type UsageHistogramQuery = Query<'getUsageHistogram'>;

export type PricingCalculateRequest = Schemas['PricingCalculateRequest'];
export type Calculation = Schemas['Calculation'];

export type InvoiceIssue = Schemas['InvoiceIssue'];
export type Invoice = Schemas['Invoice'];
export type InvoiceStatus = Schemas['InvoiceStatus'];
export type ChargeResult = Schemas['ChargeResult'];
export type CreditNoteCreate = Schemas['CreditNoteCreate'];
export type CreditNote = Schemas['CreditNote'];

export type UpcomingInvoice = Schemas['UpcomingInvoice'];
export type BillingRun = Schemas['BillingRun'];
export type BillingRunListQuery = Query<'listBillingRuns'>;
export type AutoCollectionSetting = Schemas['AutoCollectionSetting'];
export type TestClock = Schemas['TestClock'];
export type TestClockCreate = JsonBody<'createTestClock'>;
export type TestClockAdvance = JsonBody<'advanceTestClock'>;
export type TestClockListQuery = Query<'listTestClocks'>;
export type Settings = Schemas['Settings'];
export type SettingsPut = Schemas['SettingsPut'];

export type WebhookEndpointCreate = Schemas['WebhookEndpointCreate'];
export type WebhookEndpointUpdate = Schemas['WebhookEndpointUpdate'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookEndpointCreated = Schemas['WebhookEndpointCreated'];
export type WebhookEndpointListQuery = Query<'listWebhookEndpoints'>;
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookDeliveryDetail = Schemas['WebhookDeliveryDetail'];
export type WebhookDeliveryListQuery = Query<'listWebhookDeliveries'>;
export type AlertCreate = Schemas['AlertCreate'];
export type Alert = Schemas['Alert'];
export type AlertListQuery = Query<'listAlerts'>;
export type Deleted = Schemas['Deleted'];

export type MetricListQuery = Query<'listMetrics'>;
export type PricePlanListQuery = Query<'listPricePlans'>;
export type PricePlanVersionListQuery = Query<'listPricePlanVersions'>;
export type CustomerListQuery = Query<'listCustomers'>;
export type SubscriptionListQuery = Query<'listSubscriptions'>;
export type InvoiceListQuery = Query<'listInvoices'>;
export type CreditNoteListQuery = Query<'listCreditNotes'>;
export type InvoiceCreditNoteListQuery = Query<'listInvoiceCreditNotes'>;

/** One page of a list: newest first; `next_cursor` goes into `starting_after` for the next page. */
export interface Page<Item> {
  data: Item[];
  has_more: boolean;
  next_cursor: string | null;
}

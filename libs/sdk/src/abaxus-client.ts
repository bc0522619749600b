import createClient, { type Client } from 'openapi-fetch';
import { AbaxusApiError, AbaxusConnectionError, AbaxusError } from './errors';
import { EventBatcher, EventBatcherOptions } from './event-batcher';
import type { paths } from './generated/openapi';
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableAnswer, RetryPolicy } from './retry';
import type {
  Alert,
  AlertCreate,
  AlertListQuery,
  AutoCollectionSetting,
  BillingRun,
  BillingRunListQuery,
  Calculation,
  ChargeResult,
  Customer,
  CustomerCreate,
  CustomerListQuery,
  CustomerUpdate,
  Deleted,
  EventAccepted,
  EventInput,
  EventItemResult,
  CreditNote,
  CreditNoteCreate,
  CreditNoteListQuery,
  InvoiceCreditNoteListQuery,
  Invoice,
  InvoiceIssue,
  InvoiceListQuery,
  Metric,
  MetricCreate,
  MetricListQuery,
  Page,
  PricePlanCreate,
  PricePlanListQuery,
  PricePlanVersionListQuery,
  PricePlanVersion,
  PricingCalculateRequest,
  Settings,
  SettingsPut,
  Subscription,
  SubscriptionCancel,
  SubscriptionCreate,
  SubscriptionListQuery,
  TestClock,
  TestClockAdvance,
  TestClockCreate,
  TestClockListQuery,
  UpcomingInvoice,
  UsageEvent,
  UsageHistogram,
  UsageHistogramQuery,
  UsageQuery,
  UsageValue,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookDeliveryListQuery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointCreated,
  WebhookEndpointListQuery,
  WebhookEndpointUpdate,
} from './types';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

export interface AbaxusClientOptions {
  /** The gateway, e.g. `https://billing.internal`. Default `http://127.0.0.1:3000` (`npm start`). */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer <apiKey>`; omit for an engine running open on loopback. */
  apiKey?: string;
  /** How long one attempt may take before it is abandoned (and retried). Default 30,000 ms. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Called before each retry (logging, progress displays). */
  onRetry?: (retry: RetryNotice) => void;
  /** Another fetch implementation (default: the global one). */
  fetch?: (request: Request) => Promise<Response>;
}

export interface RetryNotice {
  operation: string;
  /** The attempt about to be made (2 for the first retry). */
  attempt: number;
  delayMs: number;
  /** What went wrong: an `AbaxusApiError` (5xx, 409 in progress) or an `AbaxusConnectionError`. */
  reason: AbaxusError;
}

export interface RequestOptions {
  /**
   * The `Idempotency-Key` of a mutating request, sent unchanged on every attempt. Default: a fresh
   * UUID per call. Give your own to make a retry of your own (a process restart) safe too.
   */
  idempotencyKey?: string;
  /** Aborts the request and any retry still to come. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

/** What `send` gets for one attempt: the signal that ends it and the headers it must carry. */
interface AttemptInit {
  signal: AbortSignal;
  headers: Record<string, string>;
}

type DataOf<R> = R extends { data: infer D } ? D : never;

/**
 * A typed client of the ABAXUS API (types generated from docs/openapi.yaml). Errors are thrown as
 * `AbaxusApiError` (the problem document) or `AbaxusConnectionError` (no answer). Requests that got
 * no answer, a 5xx, or `409 idempotency_request_in_progress` are retried with bounded exponential
 * backoff, under the same `Idempotency-Key` (mutations) or the same event `idempotency_key`
 * (ingestion), so a retry never acts twice.
 */
export class AbaxusClient {
  /** The underlying openapi-fetch client, for any operation without a method here. */
  readonly raw: Client<paths>;
  private readonly retryPolicy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly onRetry?: (retry: RetryNotice) => void;

  constructor(options: AbaxusClientOptions = {}) {
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    if (!(this.retryPolicy.maxAttempts >= 1)) throw new RangeError('retry.maxAttempts must be at least 1');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.onRetry = options.onRetry;
    this.raw = createClient<paths>({
      baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  readonly metrics = {
    create: (body: MetricCreate, options?: RequestOptions): Promise<Metric> =>
      this.mutation('createMetric', options, (init) => this.raw.POST('/v1/metrics', { body, ...init })),
    get: (key: string, options?: RequestOptions): Promise<Metric> =>
      this.request('getMetric', options, (init) => this.raw.GET('/v1/metrics/{key}', { params: { path: { key } }, ...init })),
    list: (query: MetricListQuery = {}, options?: RequestOptions): Promise<Page<Metric>> =>
      this.request('listMetrics', options, (init) => this.raw.GET('/v1/metrics', { params: { query }, ...init })) as Promise<Page<Metric>>,
    listAll: (query: Omit<MetricListQuery, 'starting_after'> = {}, options?: RequestOptions): AsyncIterable<Metric> =>
      paginate((cursor) => this.metrics.list({ ...query, starting_after: cursor }, options)),
  };

  readonly pricePlans = {
    /** Posting an existing `id` creates its next version. */
    create: (body: PricePlanCreate, options?: RequestOptions): Promise<PricePlanVersion> =>
      // `as never`: openapi-fetch's Writable<> turns the flat fee's `metric_key?: null` into `undefined`.
      this.mutation('createPricePlanVersion', options, (init) => this.raw.POST('/v1/price-plans', { body: body as never, ...init })),
    /** The plan's current (latest) version. */
    get: (id: string, options?: RequestOptions): Promise<PricePlanVersion> =>
      this.request('getPricePlan', options, (init) => this.raw.GET('/v1/price-plans/{id}', { params: { path: { id } }, ...init })),
    /** Every version of the plan, newest first. */
    listVersions: (id: string, query: PricePlanVersionListQuery = {}, options?: RequestOptions): Promise<Page<PricePlanVersion>> =>
      this.request('listPricePlanVersions', options, (init) =>
        this.raw.GET('/v1/price-plans/{id}/versions', { params: { path: { id }, query }, ...init }),
      ) as Promise<Page<PricePlanVersion>>,
    getVersion: (id: string, version: number, options?: RequestOptions): Promise<PricePlanVersion> =>
      this.request('getPricePlanVersion', options, (init) =>
        this.raw.GET('/v1/price-plans/{id}/versions/{version}', { params: { path: { id, version: String(version) } }, ...init }),
      ),
    list: (query: PricePlanListQuery = {}, options?: RequestOptions): Promise<Page<PricePlanVersion>> =>
      this.request('listPricePlans', options, (init) => this.raw.GET('/v1/price-plans', { params: { query }, ...init })) as Promise<Page<PricePlanVersion>>,
  };

  readonly customers = {
    create: (body: CustomerCreate, options?: RequestOptions): Promise<Customer> =>
      this.mutation('createCustomer', options, (init) => this.raw.POST('/v1/customers', { body, ...init })),
    get: (id: string, options?: RequestOptions): Promise<Customer> =>
      this.request('getCustomer', options, (init) => this.raw.GET('/v1/customers/{id}', { params: { path: { id } }, ...init })),
    update: (id: string, body: CustomerUpdate, options?: RequestOptions): Promise<Customer> =>
      this.mutation('updateCustomer', options, (init) => this.raw.PATCH('/v1/customers/{id}', { params: { path: { id } }, body, ...init })),
    list: (query: CustomerListQuery = {}, options?: RequestOptions): Promise<Page<Customer>> =>
      this.request('listCustomers', options, (init) => this.raw.GET('/v1/customers', { params: { query }, ...init })) as Promise<Page<Customer>>,
    listAll: (query: Omit<CustomerListQuery, 'starting_after'> = {}, options?: RequestOptions): AsyncIterable<Customer> =>
      paginate((cursor) => this.customers.list({ ...query, starting_after: cursor }, options)),
  };

  readonly subscriptions = {
    create: (body: SubscriptionCreate, options?: RequestOptions): Promise<Subscription> =>
      this.mutation('createSubscription', options, (init) => this.raw.POST('/v1/subscriptions', { body, ...init })),
    get: (id: string, options?: RequestOptions): Promise<Subscription> =>
      this.request('getSubscription', options, (init) => this.raw.GET('/v1/subscriptions/{id}', { params: { path: { id } }, ...init })),
    cancel: (id: string, body: SubscriptionCancel = {}, options?: RequestOptions): Promise<Subscription> =>
      this.mutation('cancelSubscription', options, (init) => this.raw.POST('/v1/subscriptions/{id}/cancel', { params: { path: { id } }, body, ...init })),
    list: (query: SubscriptionListQuery = {}, options?: RequestOptions): Promise<Page<Subscription>> =>
      this.request('listSubscriptions', options, (init) => this.raw.GET('/v1/subscriptions', { params: { query }, ...init })) as Promise<Page<Subscription>>,
  };

  readonly events = {
    /** One event; `202` once durable. An event without `idempotency_key` gets a fresh one, kept across retries. */
    send: (event: EventInput, options?: RequestOptions): Promise<EventAccepted> => {
      const keyed = withIdempotencyKey(event);
      return this.request('ingestEvent', options, (init) => this.raw.POST('/v1/events', { body: keyed, ...init }));
    },
    /** Up to 500 events; one result per event, in order (`202`, or `400` with the event's problem). */
    sendBatch: async (events: EventInput[], options?: RequestOptions): Promise<EventItemResult[]> => {
      const body = { events: events.map(withIdempotencyKey) };
      return (await this.request('ingestEventBatch', options, (init) => this.raw.POST('/v1/events/batch', { body, ...init }))).results;
    },
    /**
     * Like `sendBatch`, for events already serialized (each a JSON object with its own
     * `idempotency_key`), sent byte for byte: number literals stay exactly as written.
     */
    sendBatchJson: async (events: string[], options?: RequestOptions): Promise<EventItemResult[]> =>
      (
        await this.request('ingestEventBatch', options, (init) =>
          this.raw.POST('/v1/events/batch', { body: { events: [] }, bodySerializer: () => `{"events":[${events.join(',')}]}`, ...init }),
        )
      ).results,
    /** Up to 5,000 historical events, written straight to the events store (aggregates rebuilt at once). */
    backfill: async (events: EventInput[], options?: RequestOptions): Promise<EventItemResult[]> => {
      const body = { events: events.map(withIdempotencyKey) };
      return (await this.request('backfillEvents', options, (init) => this.raw.POST('/v1/events/backfill', { body, ...init }))).results;
    },
    /** `backfill` for pre-serialized events (see `sendBatchJson`). */
    backfillJson: async (events: string[], options?: RequestOptions): Promise<EventItemResult[]> =>
      (
        await this.request('backfillEvents', options, (init) =>
          this.raw.POST('/v1/events/backfill', { body: { events: [] }, bodySerializer: () => `{"events":[${events.join(',')}]}`, ...init }),
        )
      ).results,
    /** Queues single events and sends them in batches (at 500 events or after `flushIntervalMs`). */
    batcher: (options?: EventBatcherOptions): EventBatcher => new EventBatcher((events) => this.events.sendBatch(events), options),
  };

  readonly usage = {
    /** From the pre-computed hourly aggregates (eventual). */
    summary: (query: UsageQuery, options?: RequestOptions): Promise<UsageValue> =>
      this.request('getUsageSummary', options, (init) => this.raw.GET('/v1/usage/summary', { params: { query }, ...init })),
    /** Exact and read-your-writes (strong): counts every event acknowledged before the call. */
    compute: (query: UsageQuery, options?: RequestOptions): Promise<UsageValue> =>
      this.request('computeUsage', options, (init) => this.raw.POST('/v1/usage/compute', { body: query, ...init })),
    histogram: (query: UsageHistogramQuery, options?: RequestOptions): Promise<UsageHistogram> =>
      this.request('getUsageHistogram', options, (init) => this.raw.GET('/v1/usage/histogram', { params: { query }, ...init })),
  };

  readonly pricing = {
    /** Prices a subscription's usage over a period, every tier broken down; the calculation is stored. */
    calculate: (body: PricingCalculateRequest, options?: RequestOptions): Promise<Calculation> =>
      this.mutation('calculatePricing', options, (init) => this.raw.POST('/v1/pricing/calculate', { body, ...init })),
    getCalculation: (id: string, options?: RequestOptions): Promise<Calculation> =>
      this.request('getPricingCalculation', options, (init) => this.raw.GET('/v1/pricing/calculations/{id}', { params: { path: { id } }, ...init })),
  };

  readonly invoices = {
    /** Issues the customer's invoice up to `cutoff_date` (from the previous invoice's end or the subscription start). */
    issue: (body: InvoiceIssue, options?: RequestOptions): Promise<Invoice> =>
      this.mutation('issueInvoice', options, (init) => this.raw.POST('/v1/invoices', { body, ...init })),
    get: (id: string, options?: RequestOptions): Promise<Invoice> =>
      this.request('getInvoice', options, (init) => this.raw.GET('/v1/invoices/{id}', { params: { path: { id } }, ...init })),
    list: (query: InvoiceListQuery = {}, options?: RequestOptions): Promise<Page<Invoice>> =>
      this.request('listInvoices', options, (init) => this.raw.GET('/v1/invoices', { params: { query }, ...init })) as Promise<Page<Invoice>>,
    listAll: (query: Omit<InvoiceListQuery, 'starting_after'> = {}, options?: RequestOptions): AsyncIterable<Invoice> =>
      paginate((cursor) => this.invoices.list({ ...query, starting_after: cursor }, options)),
    /** Charges the invoice through Stripe, off-session (`402` on a decline). */
    charge: (id: string, options?: RequestOptions): Promise<ChargeResult> =>
      this.mutation('chargeInvoice', options, (init) => this.raw.POST('/v1/invoices/{id}/charge', { params: { path: { id } }, ...init })),
    /** Emails the invoice (HTML, text and PDF) to the customer. */
    sendEmail: (id: string, options?: RequestOptions): Promise<Invoice> =>
      this.mutation('sendInvoiceEmail', options, (init) => this.raw.POST('/v1/invoices/{id}/send-email', { params: { path: { id } }, ...init })),
    archive: (id: string, options?: RequestOptions): Promise<Invoice> =>
      this.mutation('archiveInvoice', options, (init) => this.raw.POST('/v1/invoices/{id}/archive', { params: { path: { id } }, ...init })),
    /** Voids an issued, unpaid invoice: its number stays used and its period is billed again by the next invoice. */
    void: (id: string, options?: RequestOptions): Promise<Invoice> =>
      this.mutation('voidInvoice', options, (init) => this.raw.POST('/v1/invoices/{id}/void', { params: { path: { id } }, ...init })),
    /** The invoice as a PDF document (bytes). */
    pdf: async (id: string, options?: RequestOptions): Promise<Uint8Array> =>
      new Uint8Array(
        (await this.request('getInvoicePdf', options, (init) =>
          this.raw.GET('/v1/invoices/{id}/pdf', { params: { path: { id } }, parseAs: 'arrayBuffer', ...init }),
        )) as ArrayBuffer,
      ),
    /** What the customer's current cycle would be invoiced if it ended now (not stored, no number). */
    upcoming: (customerId: string, options?: RequestOptions): Promise<UpcomingInvoice> =>
      this.request('getUpcomingInvoice', options, (init) =>
        this.raw.GET('/v1/customers/{id}/upcoming-invoice', { params: { path: { id: customerId } }, ...init }),
      ),
  };

  /** The automatic month-end (cycle-end) runs. */
  readonly billingRuns = {
    list: (query: BillingRunListQuery = {}, options?: RequestOptions): Promise<Page<BillingRun>> =>
      this.request('listBillingRuns', options, (init) => this.raw.GET('/v1/billing-runs', { params: { query }, ...init })) as Promise<Page<BillingRun>>,
  };

  /** Whether a customer's issued invoices are emailed and charged without a call. */
  readonly autoCollection = {
    get: (customerId: string, options?: RequestOptions): Promise<AutoCollectionSetting> =>
      this.request('getAutoCollection', options, (init) =>
        this.raw.GET('/v1/customers/{id}/auto-collection', { params: { path: { id: customerId } }, ...init }),
      ),
    set: (customerId: string, body: AutoCollectionSetting['auto_collection'], options?: RequestOptions): Promise<AutoCollectionSetting> =>
      this.mutation('setAutoCollection', options, (init) =>
        this.raw.PUT('/v1/customers/{id}/auto-collection', { params: { path: { id: customerId } }, body, ...init }),
      ),
  };

  /** Simulated time for rehearsing billing: customers on a clock live in its time. */
  readonly testClocks = {
    create: (body: TestClockCreate, options?: RequestOptions): Promise<TestClock> =>
      this.mutation('createTestClock', options, (init) => this.raw.POST('/v1/test-clocks', { body, ...init })),
    get: (id: string, options?: RequestOptions): Promise<TestClock> =>
      this.request('getTestClock', options, (init) => this.raw.GET('/v1/test-clocks/{id}', { params: { path: { id } }, ...init })),
    list: (query: TestClockListQuery = {}, options?: RequestOptions): Promise<Page<TestClock>> =>
      this.request('listTestClocks', options, (init) => this.raw.GET('/v1/test-clocks', { params: { query }, ...init })) as Promise<Page<TestClock>>,
    /** Moves the clock forward and runs everything due; the clock is `advancing` until done (poll `get`). */
    advance: (id: string, body: TestClockAdvance, options?: RequestOptions): Promise<TestClock> =>
      this.mutation('advanceTestClock', options, (init) => this.raw.POST('/v1/test-clocks/{id}/advance', { params: { path: { id } }, body, ...init })),
  };

  /** Who bills (the issuer on every invoice) and the invoices' terms. */
  readonly settings = {
    get: (options?: RequestOptions): Promise<Settings> => this.request('getSettings', options, (init) => this.raw.GET('/v1/settings', { ...init })),
    replace: (body: SettingsPut, options?: RequestOptions): Promise<Settings> =>
      this.mutation('replaceSettings', options, (init) => this.raw.PUT('/v1/settings', { body, ...init })),
  };

  /** Outbound webhooks (Standard Webhooks): endpoints and their delivery log. */
  readonly webhookEndpoints = {
    /** The answer carries the signing `secret`, shown this once. */
    create: (body: WebhookEndpointCreate, options?: RequestOptions): Promise<WebhookEndpointCreated> =>
      this.mutation('createWebhookEndpoint', options, (init) => this.raw.POST('/v1/webhook-endpoints', { body, ...init })),
    get: (id: string, options?: RequestOptions): Promise<WebhookEndpoint> =>
      this.request('getWebhookEndpoint', options, (init) => this.raw.GET('/v1/webhook-endpoints/{id}', { params: { path: { id } }, ...init })),
    list: (query: WebhookEndpointListQuery = {}, options?: RequestOptions): Promise<Page<WebhookEndpoint>> =>
      this.request('listWebhookEndpoints', options, (init) => this.raw.GET('/v1/webhook-endpoints', { params: { query }, ...init })) as Promise<
        Page<WebhookEndpoint>
      >,
    update: (id: string, body: WebhookEndpointUpdate, options?: RequestOptions): Promise<WebhookEndpoint> =>
      this.mutation('updateWebhookEndpoint', options, (init) => this.raw.PATCH('/v1/webhook-endpoints/{id}', { params: { path: { id } }, body, ...init })),
    delete: (id: string, options?: RequestOptions): Promise<Deleted> =>
      this.mutation('deleteWebhookEndpoint', options, (init) => this.raw.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id } }, ...init })),
    deliveries: (id: string, query: WebhookDeliveryListQuery = {}, options?: RequestOptions): Promise<Page<WebhookDelivery>> =>
      this.request('listWebhookDeliveries', options, (init) =>
        this.raw.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id }, query }, ...init }),
      ) as Promise<Page<WebhookDelivery>>,
    delivery: (id: string, deliveryId: string, options?: RequestOptions): Promise<WebhookDeliveryDetail> =>
      this.request('getWebhookDelivery', options, (init) =>
        this.raw.GET('/v1/webhook-endpoints/{id}/deliveries/{delivery_id}', { params: { path: { id, delivery_id: deliveryId } }, ...init }),
      ),
    /** Sends a delivery again now (a failed one gets a new 3-day window). */
    retryDelivery: (id: string, deliveryId: string, options?: RequestOptions): Promise<WebhookDelivery> =>
      this.mutation('retryWebhookDelivery', options, (init) =>
        this.raw.POST('/v1/webhook-endpoints/{id}/deliveries/{delivery_id}/retry', { params: { path: { id, delivery_id: deliveryId } }, ...init }),
      ),
  };

  /** Usage and amount thresholds that fire `usage.alert_triggered` once per cycle. */
  readonly alerts = {
    create: (body: AlertCreate, options?: RequestOptions): Promise<Alert> =>
      this.mutation('createAlert', options, (init) => this.raw.POST('/v1/alerts', { body, ...init })),
    get: (id: string, options?: RequestOptions): Promise<Alert> =>
      this.request('getAlert', options, (init) => this.raw.GET('/v1/alerts/{id}', { params: { path: { id } }, ...init })),
    list: (query: AlertListQuery = {}, options?: RequestOptions): Promise<Page<Alert>> =>
      this.request('listAlerts', options, (init) => this.raw.GET('/v1/alerts', { params: { query }, ...init })) as Promise<Page<Alert>>,
    delete: (id: string, options?: RequestOptions): Promise<Deleted> =>
      this.mutation('deleteAlert', options, (init) => this.raw.DELETE('/v1/alerts/{id}', { params: { path: { id } }, ...init })),
  };

  readonly creditNotes = {
    /** Credits an issued invoice (its amount due goes down) or a paid one (refunded to the card with `refund: true`). */
    create: (invoiceId: string, body: CreditNoteCreate, options?: RequestOptions): Promise<CreditNote> =>
      this.mutation('createCreditNote', options, (init) =>
        this.raw.POST('/v1/invoices/{id}/credit-notes', { params: { path: { id: invoiceId } }, body, ...init }),
      ),
    get: (id: string, options?: RequestOptions): Promise<CreditNote> =>
      this.request('getCreditNote', options, (init) => this.raw.GET('/v1/credit-notes/{id}', { params: { path: { id } }, ...init })),
    list: (query: CreditNoteListQuery = {}, options?: RequestOptions): Promise<Page<CreditNote>> =>
      this.request('listCreditNotes', options, (init) => this.raw.GET('/v1/credit-notes', { params: { query }, ...init })) as Promise<Page<CreditNote>>,
    /** The credit notes of one invoice, newest first. */
    listForInvoice: (invoiceId: string, query: InvoiceCreditNoteListQuery = {}, options?: RequestOptions): Promise<Page<CreditNote>> =>
      this.request('listInvoiceCreditNotes', options, (init) =>
        this.raw.GET('/v1/invoices/{id}/credit-notes', { params: { path: { id: invoiceId }, query }, ...init }),
      ) as Promise<Page<CreditNote>>,
    /** The credit note's PDF (the same document its email attaches). */
    pdf: async (id: string, options?: RequestOptions): Promise<Uint8Array> =>
      new Uint8Array(
        (await this.request('getCreditNotePdf', options, (init) =>
          this.raw.GET('/v1/credit-notes/{id}/pdf', { params: { path: { id } }, parseAs: 'arrayBuffer', ...init }),
        )) as ArrayBuffer,
      ),
    /** Emails the credit note (HTML, text and PDF) to the customer. */
    sendEmail: (id: string, options?: RequestOptions): Promise<CreditNote> =>
      this.mutation('sendCreditNoteEmail', options, (init) => this.raw.POST('/v1/credit-notes/{id}/send-email', { params: { path: { id } }, ...init })),
    /** Asks Stripe again about a pending refund (same idempotency key: never a second Refund). */
    retryRefund: (id: string, options?: RequestOptions): Promise<CreditNote> =>
      this.mutation('retryCreditNoteRefund', options, (init) => this.raw.POST('/v1/credit-notes/{id}/refund', { params: { path: { id } }, ...init })),
  };

  /** A mutation: carries one `Idempotency-Key` for all its attempts. */
  private mutation<R extends { response: Response }>(
    operation: string,
    options: RequestOptions | undefined,
    send: (init: AttemptInit) => Promise<R>,
  ): Promise<DataOf<R>> {
    const headers = { 'Idempotency-Key': options?.idempotencyKey ?? globalThis.crypto.randomUUID() };
    return this.withRetries(operation, options, headers, send);
  }

  /** A read, or an ingestion whose events carry their own idempotency keys: no header needed. */
  private request<R extends { response: Response }>(
    operation: string,
    options: RequestOptions | undefined,
    send: (init: AttemptInit) => Promise<R>,
  ): Promise<DataOf<R>> {
    return this.withRetries(operation, options, {}, send);
  }

  private async withRetries<R extends { response: Response }>(
    operation: string,
    options: RequestOptions | undefined,
    headers: Record<string, string>,
    send: (init: AttemptInit) => Promise<R>,
  ): Promise<DataOf<R>> {
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      options?.signal?.throwIfAborted();
      let failure: AbaxusError;
      const attemptController = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attemptController.abort(new DOMException(`${operation}: no answer within ${timeoutMs} ms`, 'TimeoutError'));
      }, timeoutMs);
      const signal = options?.signal ? AbortSignal.any([options.signal, attemptController.signal]) : attemptController.signal;
      try {
        const result = (await send({ signal, headers })) as R & { data?: unknown; error?: unknown };
        if (result.response.ok) return result.data as DataOf<R>;
        const error = new AbaxusApiError(operation, attempt, result.response.status, result.error);
        if (!isRetryableAnswer(error.status, error.code)) throw error;
        failure = error;
      } catch (error) {
        if (error instanceof AbaxusError) throw error;
        if (options?.signal?.aborted) throw options.signal.reason;
        // fetch reports a refused or dropped connection (also mid-body) as a TypeError; our timer as TimeoutError.
        // (by name: jest runs code in another realm, where `instanceof TypeError` fails for Node's fetch).
        if (!(timedOut || (error as Error)?.name === 'TypeError'))
          throw new AbaxusError(`${operation}: ${(error as Error).message}`, operation, attempt, { cause: error });
        failure = new AbaxusConnectionError(operation, attempt, timedOut, error);
      } finally {
        clearTimeout(timer);
      }
      if (attempt >= this.retryPolicy.maxAttempts) throw failure;
      const delayMs = backoffDelay(attempt, this.retryPolicy);
      this.onRetry?.({ operation, attempt: attempt + 1, delayMs, reason: failure });
      await sleep(delayMs, options?.signal);
    }
  }
}

function withIdempotencyKey(event: EventInput): UsageEvent {
  return event.idempotency_key === undefined ? { ...event, idempotency_key: `evt_${globalThis.crypto.randomUUID()}` } : (event as UsageEvent);
}

async function* paginate<Item>(fetchPage: (cursor: string | undefined) => Promise<Page<Item>>): AsyncIterable<Item> {
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.data;
    if (!page.has_more || page.next_cursor === null) return;
    cursor = page.next_cursor;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

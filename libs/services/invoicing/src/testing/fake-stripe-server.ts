import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/*
 * A Stripe-shaped HTTP server for tests: the real `stripe` SDK talks to it (STRIPE_API_URL).
 * It answers POST /v1/payment_intents, GET /v1/payment_intents/:id and
 * GET /v1/payment_intents/search (metadata clauses joined by AND), POST /v1/refunds (of a succeeded
 * PaymentIntent, never more than is left of it), GET /v1/refunds/:id and GET /v1/refunds?payment_intent= like Stripe, including
 * idempotency (the same Idempotency-Key replays the first answer; the same key with other
 * parameters is an idempotency_error; forgetIdempotencyKeys() does what Stripe does after 24
 * hours), and records every request.
 *
 * The outcome depends on the payment method, as with Stripe's test cards:
 *   pm_card_visa (or any other)               → succeeded
 *   pm_card_chargeDeclined                    → 402 card_error card_declined / generic_decline
 *   pm_card_chargeDeclinedInsufficientFunds   → 402 card_error card_declined / insufficient_funds
 *   pm_card_authenticationRequired            → 402 card_error authentication_required, PaymentIntent requires_action
 * respondAfter(ms) makes the next answers late (the charge is made at once, the answer waits):
 * a client timeout then leaves the outcome unknown while Stripe did charge. respondAfter(ms,
 * customer) does that only for the PaymentIntents of one customer (cus_…).
 */

export interface RecordedStripeRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
  /** The form body as sent (nested keys flattened as Stripe encodes them: `metadata[invoice_id]`). */
  form: Record<string, string>;
}

export interface FakePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  currency: string;
  customer: string | null;
  payment_method: string | null;
  status: 'succeeded' | 'requires_action' | 'requires_payment_method' | 'processing';
  metadata: Record<string, string>;
  last_payment_error: { type: string; code: string; decline_code?: string; message: string } | null;
  created: number;
  livemode: false;
}

export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  payment_intent: string;
  reason: string | null;
  status: 'succeeded' | 'pending' | 'failed';
  failure_reason: string | null;
  metadata: Record<string, string>;
  created: number;
}

interface StoredAnswer {
  params: string;
  status: number;
  body: string;
}

const DECLINES: Record<string, { code: string; decline_code: string; message: string }> = {
  pm_card_chargeDeclined: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  pm_card_chargeDeclinedInsufficientFunds: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
};

export class FakeStripeServer {
  readonly requests: RecordedStripeRequest[] = [];
  readonly paymentIntents = new Map<string, FakePaymentIntent>();
  readonly refunds = new Map<string, FakeRefund>();
  private readonly answers = new Map<string, StoredAnswer>();
  private delayMs = 0;
  private readonly customerDelaysMs = new Map<string, number>();
  private server: Server | undefined;
  url = '';

  constructor(readonly secretKey = 'sk_test_abaxus_fake') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Answers after `ms` from now on (0 to answer at once again); with `customer`, only requests for that customer. */
  respondAfter(ms: number, customer?: string): void {
    if (customer === undefined) {
      this.delayMs = ms;
      this.customerDelaysMs.clear();
    } else {
      this.customerDelaysMs.set(customer, ms);
    }
  }

  /** Stripe prunes idempotency keys after 24 hours: a key sent again after that makes a new PaymentIntent. */
  forgetIdempotencyKeys(): void {
    this.answers.clear();
  }

  /** POST requests creating PaymentIntents (replays included). */
  creations(): RecordedStripeRequest[] {
    return this.requests.filter((request) => request.method === 'POST' && request.path === '/v1/payment_intents');
  }

  /** POST requests creating Refunds (replays included). */
  refundCreations(): RecordedStripeRequest[] {
    return this.requests.filter((request) => request.method === 'POST' && request.path === '/v1/refunds');
  }

  /** The customer completes authentication: the PaymentIntent succeeds (as Stripe then reports by webhook). */
  completeAuthentication(id: string): FakePaymentIntent {
    const intent = this.paymentIntents.get(id);
    if (!intent) throw new Error(`no PaymentIntent ${id}`);
    intent.status = 'succeeded';
    intent.last_payment_error = null;
    return { ...intent };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stripe.test');
    const form = Object.fromEntries(new URLSearchParams(raw));
    const idempotencyKey = header(req, 'idempotency-key');
    this.requests.push({ method: req.method ?? '', path: url.pathname, idempotencyKey, authorization: header(req, 'authorization'), form });

    if (header(req, 'authorization') !== `Bearer ${this.secretKey}`) {
      return this.send(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
    }
    if (req.method === 'POST' && url.pathname === '/v1/payment_intents') {
      return this.idempotent(res, idempotencyKey, raw, this.customerDelaysMs.get(form.customer), () => this.createPaymentIntent(form));
    }
    if (req.method === 'POST' && url.pathname === '/v1/refunds') {
      return this.idempotent(res, idempotencyKey, raw, undefined, () => this.createRefund(form));
    }
    if (req.method === 'GET' && url.pathname === '/v1/refunds') {
      const paymentIntent = url.searchParams.get('payment_intent');
      const data = [...this.refunds.values()].filter((refund) => paymentIntent === null || refund.payment_intent === paymentIntent).reverse();
      return this.send(res, 200, { object: 'list', url: '/v1/refunds', has_more: false, data });
    }
    const refund = /^\/v1\/refunds\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && refund) {
      const found = this.refunds.get(refund[1]);
      if (!found) return this.send(res, 404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such refund: '${refund[1]}'` } });
      return this.send(res, 200, found);
    }
    if (req.method === 'GET' && url.pathname === '/v1/payment_intents/search') {
      const clauses = searchClauses(url.searchParams.get('query') ?? '');
      if (!clauses)
        return this.send(res, 400, { error: { type: 'invalid_request_error', message: 'This fake understands only metadata clauses joined by AND.' } });
      const data = [...this.paymentIntents.values()].filter((intent) => clauses.every(([key, value]) => intent.metadata[key] === value));
      return this.send(res, 200, { object: 'search_result', url: '/v1/payment_intents/search', has_more: false, next_page: null, data });
    }
    const match = /^\/v1\/payment_intents\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && match) {
      const intent = this.paymentIntents.get(match[1]);
      if (!intent)
        return this.send(res, 404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_intent: '${match[1]}'` } });
      return this.send(res, 200, intent);
    }
    this.send(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname}).` } });
  }

  /**
   * Stripe's idempotency: the first answer for a key is kept and replayed (the check and the store
   * happen in one turn of the event loop, so concurrent requests with one key make one object);
   * the same key with other parameters is an idempotency_error.
   */
  private idempotent(
    res: ServerResponse,
    idempotencyKey: string | undefined,
    raw: string,
    delayMs: number | undefined,
    create: () => { status: number; body: unknown },
  ): void {
    if (idempotencyKey) {
      const earlier = this.answers.get(idempotencyKey);
      if (earlier && earlier.params !== raw) {
        return this.send(res, 400, {
          error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with.` },
        });
      }
      if (earlier) return this.reply(res, earlier.status, earlier.body, true, delayMs);
    }
    const { status, body } = create();
    const text = JSON.stringify(body);
    if (idempotencyKey) this.answers.set(idempotencyKey, { params: raw, status, body: text });
    return this.reply(res, status, text, false, delayMs);
  }

  /** What is left to refund of a PaymentIntent. */
  refundable(paymentIntent: string): number {
    const intent = this.paymentIntents.get(paymentIntent);
    if (!intent || intent.status !== 'succeeded') return 0;
    const refunded = [...this.refunds.values()]
      .filter((refund) => refund.payment_intent === paymentIntent && refund.status !== 'failed')
      .reduce((sum, refund) => sum + refund.amount, 0);
    return intent.amount - refunded;
  }

  private createRefund(form: Record<string, string>): { status: number; body: unknown } {
    const invalid = (code: string, message: string, param?: string) => ({
      status: 400,
      body: { error: { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) } },
    });
    const intent = form.payment_intent ? this.paymentIntents.get(form.payment_intent) : undefined;
    if (!form.payment_intent) return invalid('parameter_missing', 'Missing required param: payment_intent.', 'payment_intent');
    if (!intent) {
      return {
        status: 404,
        body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_intent: '${form.payment_intent}'` } },
      };
    }
    if (intent.status !== 'succeeded') return invalid('charge_not_refundable', `PaymentIntent ${intent.id} has no succeeded charge to refund.`);
    const left = this.refundable(intent.id);
    const amount = form.amount === undefined ? left : Number(form.amount);
    if (!Number.isInteger(amount) || amount < 1) return invalid('parameter_invalid_integer', 'Invalid positive integer', 'amount');
    if (left === 0) return invalid('charge_already_refunded', `Charge for PaymentIntent ${intent.id} has already been refunded.`);
    if (amount > left) return invalid('amount_too_large', `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`, 'amount');
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(form)) {
      const name = /^metadata\[(.+)\]$/.exec(key)?.[1];
      if (name) metadata[name] = value;
    }
    const refund: FakeRefund = {
      id: `re_${randomBytes(12).toString('hex')}`,
      object: 'refund',
      amount,
      currency: intent.currency,
      payment_intent: intent.id,
      reason: form.reason ?? null,
      status: 'succeeded',
      failure_reason: null,
      metadata,
      created: Math.floor(Date.now() / 1000),
    };
    this.refunds.set(refund.id, refund);
    return { status: 200, body: { ...refund } };
  }

  private createPaymentIntent(form: Record<string, string>): { status: number; body: unknown } {
    for (const field of ['amount', 'currency']) {
      if (!form[field])
        return {
          status: 400,
          body: { error: { type: 'invalid_request_error', code: 'parameter_missing', param: field, message: `Missing required param: ${field}.` } },
        };
    }
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(form)) {
      const name = /^metadata\[(.+)\]$/.exec(key)?.[1];
      if (name) metadata[name] = value;
    }
    const paymentMethod = form.payment_method ?? null;
    const intent: FakePaymentIntent = {
      id: `pi_${randomBytes(12).toString('hex')}`,
      object: 'payment_intent',
      amount: Number(form.amount),
      currency: form.currency,
      customer: form.customer ?? null,
      payment_method: paymentMethod,
      status: 'succeeded',
      metadata,
      last_payment_error: null,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    this.paymentIntents.set(intent.id, intent);
    const decline = paymentMethod ? DECLINES[paymentMethod] : undefined;
    if (decline) {
      intent.status = 'requires_payment_method';
      intent.last_payment_error = { type: 'card_error', ...decline };
      return { status: 402, body: { error: { type: 'card_error', ...decline, payment_intent: { ...intent } } } };
    }
    if (paymentMethod === 'pm_card_authenticationRequired') {
      intent.status = 'requires_action';
      const error = {
        type: 'card_error',
        code: 'authentication_required',
        decline_code: 'authentication_required',
        message: 'Your card was declined. This transaction requires authentication.',
      };
      intent.last_payment_error = error;
      return { status: 402, body: { error: { ...error, payment_intent: { ...intent } } } };
    }
    return { status: 200, body: { ...intent } };
  }

  private reply(res: ServerResponse, status: number, body: string, replayed: boolean, delayMs = this.delayMs): void {
    const write = () => {
      if (res.destroyed) return;
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': `req_${randomBytes(6).toString('hex')}`,
        ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
      });
      res.end(body);
    };
    if (delayMs > 0) setTimeout(write, delayMs);
    else write();
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    this.reply(res, status, JSON.stringify(body), false);
  }
}

/** `metadata['k']:'v' AND …` as [k, v] pairs; undefined for anything else. */
function searchClauses(query: string): Array<[string, string]> | undefined {
  const clauses: Array<[string, string]> = [];
  for (const clause of query.split(/\s+AND\s+/)) {
    const match = /^metadata\['((?:[^'\\]|\\.)+)'\]:'((?:[^'\\]|\\.)*)'$/.exec(clause.trim());
    if (!match) return undefined;
    const unescape = (text: string) => text.replace(/\\(.)/g, '$1');
    clauses.push([unescape(match[1]), unescape(match[2])]);
  }
  return clauses;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

import { Injectable } from '@nestjs/common';
import { transition } from '@abaxus/domain/invoice/invoice-lifecycle';
import { nextCharge } from '@abaxus/domain/invoice/payment-attempt';
import { stripeChargeAmount } from '@abaxus/domain/money/stripe-charge';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { invoiceAmountDue } from '../invoices/invoice-json';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { Clock } from '@abaxus/platform/time/clock';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { InvoiceRow, InvoicesRepository } from '../invoices/invoices.repository';
import { PaymentAttemptsRepository, summaryOf } from './payment-attempts.repository';
import { PaymentOutcome } from './payment-outcome';
import { ClaimedAttempt, PaymentSettlement } from './payment-settlement.service';
import { StripePaymentsClient } from './stripe-payments.client';

export interface ChargeAnswer {
  status: 'paid' | 'processing';
  invoice_id: string;
  payment_intent: string;
}

interface ProviderParameters {
  customer: string;
  paymentMethod: string;
}

/**
 * Charges an invoice off-session with the customer's saved card, the way Lago's
 * payments/create_service does: the attempt is recorded `pending` and committed, Stripe is called
 * with no transaction or lock held and the attempt's idempotency key, and the outcome is recorded
 * in a short transaction guarded by the state it expects. A second charge while one is in flight
 * gets 409; the attempt number (and so the key) only moves on after a known failure.
 */
@Injectable()
export class ChargesService {
  constructor(
    private readonly stripe: StripePaymentsClient,
    private readonly catalog: CatalogClient,
    private readonly invoices: InvoicesRepository,
    private readonly attempts: PaymentAttemptsRepository,
    private readonly settlement: PaymentSettlement,
    private readonly outbox: ServiceOutbox,
    private readonly clock: Clock,
  ) {}

  async charge(invoiceId: string): Promise<ChargeAnswer> {
    // Everything that can be refused is refused before anything is recorded or sent.
    const current = await this.invoices.find(invoiceId);
    if (!current) throw ProblemException.notFound('Invoice', invoiceId);
    if (!this.stripe.configured) {
      throw new ProblemException(503, 'payments_not_configured', 'Charging needs Stripe: set STRIPE_SECRET_KEY (and STRIPE_API_URL to use another endpoint).');
    }
    refuseUnlessChargeable(current);
    const amount = stripeChargeAmount(invoiceAmountDue(current), current.currency);
    if (!amount.ok) throw new ProblemException(422, amount.code, `Invoice ${current.number}: ${amount.message}.`);
    const customer = await this.catalog.customer(current.customer_id);
    const paymentMethod = customer.payment_method;
    if (!paymentMethod?.provider_customer_id || !paymentMethod.provider_payment_method) {
      throw new ProblemException(
        422,
        'payment_method_missing',
        `Customer ${customer.id} has no saved payment method: set payment_method.provider_customer_id and provider_payment_method first.`,
      );
    }
    const provider: ProviderParameters = {
      customer: paymentMethod.provider_customer_id,
      paymentMethod: paymentMethod.provider_payment_method,
    };

    let claimed = await this.claimNext(invoiceId, provider);
    let outcome = await this.settlement.settle(claimed);
    if (claimed.call !== 'send' && failedForGood(outcome)) {
      // The earlier attempt's payment failed (or never existed): a fresh attempt, with a fresh key.
      claimed = await this.claimNext(invoiceId, provider);
      outcome = await this.settlement.settle(claimed);
    }
    return answer(invoiceId, claimed.attempt.attempt_number, outcome);
  }

  /** Under the invoice's row lock for a moment: decides what to ask Stripe, and claims that attempt. */
  private claimNext(invoiceId: string, provider: ProviderParameters): Promise<ClaimedAttempt> {
    return this.outbox.transaction(async (tx) => {
      const invoice = await this.invoices.lockForChange(tx.manager, invoiceId);
      refuseUnlessChargeable(invoice);
      // A credit note may have lowered the amount due since it was read; the lock holds it now.
      const due = stripeChargeAmount(invoiceAmountDue(invoice), invoice.currency);
      if (!due.ok) throw new ProblemException(422, due.code, `Invoice ${invoice.number}: ${due.message}.`);
      const attempts = await this.attempts.ofInvoice(invoiceId, tx.manager);
      const claim = this.settlement.newClaim();
      const next = nextCharge(invoiceId, attempts.map(summaryOf), claim.now);
      if (next.kind === 'busy') {
        throw new ProblemException(409, 'payment_in_progress', `Invoice ${invoiceId} is being charged by another request; retry once it is done.`, {
          attempt: next.number,
        });
      }
      if (next.kind === 'attempt' && !next.retry) {
        const attempt = await this.attempts.insertPending(
          tx.manager,
          {
            invoice_id: invoiceId,
            attempt_number: next.number,
            idempotency_key: next.idempotencyKey,
            amount_minor: due.minorUnits,
            currency: invoice.currency,
            provider_customer_id: provider.customer,
            provider_payment_method: provider.paymentMethod,
          },
          claim,
        );
        return { invoice, attempt, claim: claim.claim, call: 'send' };
      }
      const latest = attempts.find((attempt) => attempt.attempt_number === next.number)!;
      const attempt = await this.attempts.claim(
        { invoiceId, number: next.number },
        latest.status,
        claim,
        { customer: provider.customer, paymentMethod: provider.paymentMethod },
        tx.manager,
      );
      // Taken by the sweep of abandoned attempts, which claims without the invoice lock.
      if (!attempt) throw new ProblemException(409, 'payment_in_progress', `Invoice ${invoiceId} is being charged right now; retry once it is done.`);
      return { invoice, attempt, claim: claim.claim, call: next.kind === 'attempt' ? 'send' : next.kind };
    });
  }
}

function failedForGood(outcome: PaymentOutcome): boolean {
  return outcome.kind === 'declined' || outcome.kind === 'rejected' || outcome.kind === 'not_found';
}

function refuseUnlessChargeable(invoice: InvoiceRow): void {
  const next = transition(invoice.status, 'charge');
  if (!next.ok) throw new ProblemException(409, next.code, `Invoice ${invoice.id}: ${next.message}.`);
}

/** Our HTTP answer for an outcome: 200 paid, 202 processing, 402 declined or action needed, 502 provider trouble. */
function answer(invoiceId: string, attempt: number, outcome: PaymentOutcome): ChargeAnswer {
  switch (outcome.kind) {
    case 'succeeded':
      return { status: 'paid', invoice_id: invoiceId, payment_intent: outcome.paymentIntentId };
    case 'processing':
      return { status: 'processing', invoice_id: invoiceId, payment_intent: outcome.paymentIntentId };
    case 'requires_action':
      throw new ProblemException(
        402,
        'requires_action',
        'The card issuer requires the customer to authenticate this payment; the invoice is paid once they do (reported by the Stripe webhook).',
        { payment_intent: outcome.paymentIntentId, provider_code: outcome.providerCode, attempt },
      );
    case 'declined':
      throw new ProblemException(402, outcome.providerCode, `The payment was declined: ${outcome.message}`, {
        decline_code: outcome.declineCode,
        payment_intent: outcome.paymentIntentId,
        attempt,
      });
    case 'unknown':
      throw new ProblemException(
        502,
        'payment_outcome_unknown',
        `Stripe did not answer (${outcome.message}). The charge may or may not have happened: retry the same request; it reuses the same idempotency key, so Stripe never charges twice.`,
        { attempt },
      );
    case 'rejected':
      throw new ProblemException(502, 'payment_provider_error', `Stripe refused the payment request: ${outcome.message}`, {
        provider_code: outcome.providerCode,
        provider_status: outcome.providerStatus,
        attempt,
      });
    case 'not_found':
      // Only when the attempt looked up was not the caller's to replace (another request made it): retrying starts a new one.
      throw new ProblemException(409, 'payment_in_progress', `${outcome.message}; retry to charge with a new attempt.`, { attempt });
  }
}

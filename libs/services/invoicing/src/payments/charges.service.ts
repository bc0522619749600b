import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { transition } from '@abaxus/domain/invoice/invoice-lifecycle';
import { nextCharge, paymentIdempotencyKey } from '@abaxus/domain/invoice/payment-attempt';
import { stripeChargeAmount } from '@abaxus/domain/money/stripe-charge';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { invoiceEventMessage } from '../invoices/invoice-event-message';
import { InvoiceRow, InvoicesRepository, InvoicingTransaction } from '../invoices/invoices.repository';
import { attemptStatusOf, PaymentOutcome } from './payment-outcome';
import { StripePaymentsClient } from './stripe-payments.client';

export interface ChargeAnswer {
  status: 'paid' | 'processing';
  invoice_id: string;
  payment_intent: string;
}

/**
 * Charges an invoice off-session with the customer's saved card. The invoice row stays locked
 * during the Stripe call, so two concurrent charges never create two PaymentIntents (the second
 * gets 409); the attempt number (and so the idempotency key) only moves on after a known failure.
 */
@Injectable()
export class ChargesService {
  constructor(
    private readonly stripe: StripePaymentsClient,
    private readonly catalog: CatalogClient,
    private readonly invoices: InvoicesRepository,
  ) {}

  async charge(invoiceId: string): Promise<ChargeAnswer> {
    if (!this.stripe.configured) {
      throw new ProblemException(503, 'payments_not_configured', 'Charging needs Stripe: set STRIPE_SECRET_KEY (and STRIPE_API_URL to use another endpoint).');
    }
    // Everything that can be refused is refused before any lock or call to Stripe.
    const current = await this.invoices.find(invoiceId);
    if (!current) throw ProblemException.notFound('Invoice', invoiceId);
    refuseUnlessChargeable(current);
    const amount = stripeChargeAmount(new Big(current.total_amount), current.currency);
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

    const { outcome, attempt } = await this.invoices.transaction(async (tx) => {
      const invoice = await tx.lockInvoice(invoiceId);
      refuseUnlessChargeable(invoice);
      const attempts = await tx.attempts(invoiceId);
      let next = nextCharge(
        invoiceId,
        attempts.map((row) => ({ number: row.attempt_number, status: row.status, paymentIntentId: row.payment_intent_id })),
      );
      if (next.kind === 'check') {
        // The previous attempt waits for the customer or is processing: ask, never pay twice.
        const checked = await this.stripe.paymentIntent(next.paymentIntentId);
        if (checked.kind === 'unknown') return { outcome: checked, attempt: next.number };
        await this.record(tx, invoice, next.number, paymentIdempotencyKey(invoiceId, next.number), amount.minorUnits, checked);
        if (checked.kind !== 'declined' && checked.kind !== 'rejected') return { outcome: checked, attempt: next.number };
        // That payment failed for good: a fresh attempt, with a fresh key.
        next = { kind: 'attempt', number: next.number + 1, idempotencyKey: paymentIdempotencyKey(invoiceId, next.number + 1), retry: false };
      }
      const result = await this.stripe.chargeOffSession({
        amountMinor: Number(amount.minorUnits),
        currency: invoice.currency,
        customer: paymentMethod.provider_customer_id,
        paymentMethod: paymentMethod.provider_payment_method!,
        idempotencyKey: next.idempotencyKey,
        invoiceId,
        invoiceNumber: invoice.number,
        attempt: next.number,
      });
      await this.record(tx, invoice, next.number, next.idempotencyKey, amount.minorUnits, result);
      return { outcome: result, attempt: next.number };
    });
    return answer(invoiceId, attempt, outcome);
  }

  /** Stores the attempt and applies its outcome to the invoice, in the charging transaction. */
  private async record(
    tx: InvoicingTransaction,
    invoice: InvoiceRow,
    number: number,
    idempotencyKey: string,
    amountMinor: string,
    outcome: PaymentOutcome,
  ): Promise<void> {
    const paymentIntentId = 'paymentIntentId' in outcome ? outcome.paymentIntentId : null;
    await tx.saveAttempt({
      invoice_id: invoice.id,
      attempt_number: number,
      idempotency_key: idempotencyKey,
      status: attemptStatusOf(outcome),
      amount_minor: amountMinor,
      currency: invoice.currency,
      payment_intent_id: paymentIntentId,
      failure_code: outcome.kind === 'declined' || outcome.kind === 'rejected' || outcome.kind === 'requires_action' ? outcome.providerCode : null,
      decline_code: outcome.kind === 'declined' ? outcome.declineCode : null,
      failure_message: outcome.kind === 'declined' || outcome.kind === 'rejected' || outcome.kind === 'unknown' ? outcome.message : null,
    });
    if (outcome.kind === 'succeeded') {
      const paid = transition(invoice.status, 'charge');
      if (!paid.ok) throw new Error(`invoice ${invoice.id} was checked chargeable under its lock: ${paid.message}`);
      await tx.updateInvoice(invoice.id, { status: paid.status, paid_at: new Date(), payment_intent: outcome.paymentIntentId });
      await tx.addHistory(invoice.id, 'charge', invoice.status, paid.status, { attempt: number, payment_intent: outcome.paymentIntentId });
      tx.emit(invoiceEventMessage('invoice.paid', invoice, paid.status, { payment_intent: outcome.paymentIntentId }));
    } else if (outcome.kind === 'declined') {
      tx.emit(
        invoiceEventMessage('invoice.payment_failed', invoice, invoice.status, {
          ...(outcome.paymentIntentId ? { payment_intent: outcome.paymentIntentId } : {}),
          failure_code: outcome.declineCode ?? outcome.providerCode,
        }),
      );
    }
  }
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
  }
}

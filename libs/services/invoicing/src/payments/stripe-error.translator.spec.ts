import Stripe from 'stripe';
import { attemptStatusOf } from './payment-outcome';
import { outcomeOfPaymentIntent, translateStripeError } from './stripe-error.translator';

const cardError = (raw: Record<string, unknown>) =>
  new Stripe.errors.StripeCardError({ type: 'card_error', message: 'Your card was declined.', ...raw } as never);

describe('translateStripeError', () => {
  it("turns a card decline into a decline with Stripe's code and decline code", () => {
    const outcome = translateStripeError(
      cardError({ code: 'card_declined', decline_code: 'insufficient_funds', payment_intent: { id: 'pi_1', status: 'requires_payment_method' } }),
    );
    expect(outcome).toEqual({
      kind: 'declined',
      paymentIntentId: 'pi_1',
      providerCode: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card was declined.',
    });
    expect(attemptStatusOf(outcome)).toBe('failed');
  });

  it('turns authentication_required into requires_action with the PaymentIntent', () => {
    const outcome = translateStripeError(
      cardError({ code: 'authentication_required', decline_code: 'authentication_required', payment_intent: { id: 'pi_2', status: 'requires_action' } }),
    );
    expect(outcome).toEqual({ kind: 'requires_action', paymentIntentId: 'pi_2', providerCode: 'authentication_required' });
    expect(attemptStatusOf(outcome)).toBe('requires_action');
  });

  it('leaves the outcome unknown when no answer came or Stripe failed on its side', () => {
    const network = translateStripeError(
      new Stripe.errors.StripeConnectionError({ message: 'Request aborted due to timeout being reached (1000ms)' } as never),
    );
    expect(network).toEqual({ kind: 'unknown', message: 'Request aborted due to timeout being reached (1000ms)' });
    expect(attemptStatusOf(network)).toBe('unknown');
    const server = translateStripeError(new Stripe.errors.StripeAPIError({ message: 'An error occurred', statusCode: 500 } as never));
    expect(server.kind).toBe('unknown');
    expect(translateStripeError(new Error('socket hang up')).kind).toBe('unknown');
    const reused = Stripe.errors.StripeError.generate({ type: 'idempotency_error', message: 'Keys for idempotent requests …', statusCode: 400 } as never);
    expect(translateStripeError(reused).kind).toBe('unknown');
  });

  it('reports a refused request with its status and code', () => {
    const error = Stripe.errors.StripeError.generate({
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: "No such customer: 'cus_x'",
      statusCode: 400,
    } as never);
    expect(translateStripeError(error)).toEqual({
      kind: 'rejected',
      providerStatus: 400,
      providerCode: 'resource_missing',
      message: "No such customer: 'cus_x'",
    });
    const auth = Stripe.errors.StripeError.generate({ type: 'authentication_error', message: 'Invalid API Key provided.', statusCode: 401 } as never);
    expect(translateStripeError(auth)).toMatchObject({ kind: 'rejected', providerStatus: 401 });
  });
});

describe('outcomeOfPaymentIntent', () => {
  it.each([
    ['succeeded', 'succeeded'],
    ['requires_action', 'requires_action'],
    ['processing', 'processing'],
    ['requires_payment_method', 'declined'],
    ['canceled', 'declined'],
  ] as const)('%s → %s', (status, kind) => {
    expect(outcomeOfPaymentIntent({ id: 'pi_1', status, last_payment_error: null }).kind).toBe(kind);
  });

  it('carries the last payment error of a failed PaymentIntent', () => {
    const outcome = outcomeOfPaymentIntent({
      id: 'pi_1',
      status: 'requires_payment_method',
      last_payment_error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'expired_card',
        message: 'Your card has expired.',
      } as Stripe.PaymentIntent.LastPaymentError,
    });
    expect(outcome).toEqual({
      kind: 'declined',
      paymentIntentId: 'pi_1',
      providerCode: 'card_declined',
      declineCode: 'expired_card',
      message: 'Your card has expired.',
    });
  });
});

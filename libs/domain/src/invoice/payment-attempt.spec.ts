import { attemptStatusOfPaymentIntent, nextCharge, PaymentAttemptSummary } from './payment-attempt';

const attempt = (number: number, status: PaymentAttemptSummary['status'], paymentIntentId: string | null = null): PaymentAttemptSummary => ({
  number,
  status,
  paymentIntentId,
});

describe('nextCharge', () => {
  it('starts with attempt 1', () => {
    expect(nextCharge('inv_1', [])).toEqual({ kind: 'attempt', number: 1, idempotencyKey: 'abaxus-inv_1-charge-1', retry: false });
  });

  it('retries an attempt of unknown outcome with the same key', () => {
    expect(nextCharge('inv_1', [attempt(1, 'failed', 'pi_1'), attempt(2, 'unknown')])).toEqual({
      kind: 'attempt',
      number: 2,
      idempotencyKey: 'abaxus-inv_1-charge-2',
      retry: true,
    });
  });

  it('starts a new attempt with a new key after a decline', () => {
    expect(nextCharge('inv_1', [attempt(2, 'failed', 'pi_2'), attempt(1, 'failed', 'pi_1')])).toEqual({
      kind: 'attempt',
      number: 3,
      idempotencyKey: 'abaxus-inv_1-charge-3',
      retry: false,
    });
  });

  it.each(['requires_action', 'processing', 'succeeded'] as const)('checks a %s payment instead of charging again', (status) => {
    expect(nextCharge('inv_1', [attempt(1, status, 'pi_9')])).toEqual({ kind: 'check', number: 1, paymentIntentId: 'pi_9' });
  });
});

describe('attemptStatusOfPaymentIntent', () => {
  it.each([
    ['succeeded', 'succeeded'],
    ['requires_action', 'requires_action'],
    ['requires_confirmation', 'requires_action'],
    ['processing', 'processing'],
    ['requires_capture', 'processing'],
    ['requires_payment_method', 'failed'],
    ['canceled', 'failed'],
    ['something_new', 'unknown'],
  ])('%s → %s', (status, expected) => {
    expect(attemptStatusOfPaymentIntent(status)).toBe(expected);
  });
});

import { attemptStatusOfPaymentIntent, IDEMPOTENCY_KEY_TRUSTED_MS, matchesAttempt, nextCharge, PaymentAttemptSummary } from './payment-attempt';

const now = new Date('2026-04-02T12:00:00Z');
const attempt = (
  number: number,
  status: PaymentAttemptSummary['status'],
  paymentIntentId: string | null = null,
  extra: Partial<PaymentAttemptSummary> = {},
): PaymentAttemptSummary => ({
  number,
  status,
  paymentIntentId,
  createdAt: new Date(now.getTime() - 60_000),
  claimedUntil: null,
  ...extra,
});

describe('nextCharge', () => {
  it('starts with attempt 1', () => {
    expect(nextCharge('inv_1', [], now)).toEqual({ kind: 'attempt', number: 1, idempotencyKey: 'abaxus-inv_1-charge-1', retry: false });
  });

  it.each(['unknown', 'pending'] as const)('sends an attempt of %s outcome again with the same key', (status) => {
    expect(nextCharge('inv_1', [attempt(1, 'failed', 'pi_1'), attempt(2, status)], now)).toEqual({
      kind: 'attempt',
      number: 2,
      idempotencyKey: 'abaxus-inv_1-charge-2',
      retry: true,
    });
  });

  it('looks an attempt of unknown outcome up once the provider may have forgotten its key', () => {
    const old = new Date(now.getTime() - IDEMPOTENCY_KEY_TRUSTED_MS);
    expect(nextCharge('inv_1', [attempt(1, 'unknown', null, { createdAt: old })], now)).toEqual({ kind: 'look_up', number: 1 });
    expect(nextCharge('inv_1', [attempt(1, 'pending', null, { createdAt: new Date(old.getTime() + 1) })], now)).toMatchObject({ kind: 'attempt', retry: true });
  });

  it('reports an attempt another caller has claimed as busy, until the claim expires', () => {
    const claimed = attempt(1, 'pending', null, { claimedUntil: new Date(now.getTime() + 1) });
    expect(nextCharge('inv_1', [claimed], now)).toEqual({ kind: 'busy', number: 1 });
    expect(nextCharge('inv_1', [{ ...claimed, claimedUntil: now }], now)).toMatchObject({ kind: 'attempt', number: 1, retry: true });
  });

  it('starts a new attempt with a new key after a decline', () => {
    expect(nextCharge('inv_1', [attempt(2, 'failed', 'pi_2'), attempt(1, 'failed', 'pi_1')], now)).toEqual({
      kind: 'attempt',
      number: 3,
      idempotencyKey: 'abaxus-inv_1-charge-3',
      retry: false,
    });
  });

  it.each(['requires_action', 'processing', 'succeeded', 'unknown'] as const)(
    'checks a %s payment with a known PaymentIntent instead of charging again',
    (status) => {
      expect(nextCharge('inv_1', [attempt(1, status, 'pi_9')], now)).toEqual({ kind: 'check', number: 1, paymentIntentId: 'pi_9' });
    },
  );
});

describe('matchesAttempt', () => {
  const sent = { paymentIntentId: null, amountMinor: '1000', currency: 'USD' };
  it('accepts the payment of the amount and currency sent, by id once the attempt knows it', () => {
    expect(matchesAttempt({ id: 'pi_1', amountMinor: '1000', currency: 'usd' }, sent)).toEqual({ ok: true });
    expect(matchesAttempt({ id: 'pi_1', amountMinor: '1000', currency: 'usd' }, { ...sent, paymentIntentId: 'pi_1' })).toEqual({ ok: true });
  });
  it('refuses another PaymentIntent, amount or currency', () => {
    expect(matchesAttempt({ id: 'pi_2', amountMinor: '1000', currency: 'usd' }, { ...sent, paymentIntentId: 'pi_1' })).toEqual({
      ok: false,
      reason: 'payment_intent_mismatch',
    });
    expect(matchesAttempt({ id: 'pi_1', amountMinor: '1', currency: 'usd' }, sent)).toEqual({ ok: false, reason: 'amount_mismatch' });
    expect(matchesAttempt({ id: 'pi_1', amountMinor: '1000', currency: 'jpy' }, sent)).toEqual({ ok: false, reason: 'currency_mismatch' });
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

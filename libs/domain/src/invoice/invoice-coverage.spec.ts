import { invoiceCoverage, SubscriptionToInvoice } from './invoice-coverage';

const now = '2026-04-15T00:00:00Z';
const sub = (overrides: Partial<SubscriptionToInvoice> = {}): SubscriptionToInvoice => ({
  id: 'sub_a',
  startDate: '2026-01-01T00:00:00Z',
  currency: 'USD',
  ...overrides,
});
const periods = (result: ReturnType<typeof invoiceCoverage>) =>
  result.ok ? result.groups.map((group) => [group.subscriptionId, group.start.toISOString(), group.end.toISOString()]) : result.code;

describe('invoiceCoverage', () => {
  it('covers a first invoice from the start date to the cutoff', () => {
    const result = invoiceCoverage({ subscriptions: [sub()], cutoff: '2026-04-01T00:00:00Z', now });
    expect(periods(result)).toEqual([['sub_a', '2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']]);
    expect(result.ok && [result.currency, result.start.toISOString(), result.end.toISOString()]).toEqual([
      'USD',
      '2026-01-01T00:00:00.000Z',
      '2026-04-01T00:00:00.000Z',
    ]);
  });

  it('gives each subscription its own period, in start order, and the invoice the earliest start', () => {
    const result = invoiceCoverage({
      subscriptions: [sub({ id: 'sub_b', startDate: '2026-03-10T00:00:00Z' }), sub({ previousPeriodEnd: '2026-03-01T00:00:00Z' })],
      cutoff: '2026-04-01T00:00:00Z',
      now,
    });
    expect(periods(result)).toEqual([
      ['sub_a', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
      ['sub_b', '2026-03-10T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
    ]);
    expect(result.ok && result.start.toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('refuses a cutoff in the future', () => {
    expect(periods(invoiceCoverage({ subscriptions: [sub()], cutoff: '2026-04-15T00:00:01Z', now }))).toBe('cutoff_in_future');
  });

  it('refuses a cutoff before the previous period end', () => {
    const result = invoiceCoverage({ subscriptions: [sub({ previousPeriodEnd: '2026-04-01T00:00:00Z' })], cutoff: '2026-03-31T00:00:00Z', now });
    expect(result).toMatchObject({ ok: false, code: 'cutoff_not_after_period_start', message: expect.stringContaining('must be after the period start') });
  });

  it('calls a cutoff equal to the previous period end already invoiced (a repeated or concurrent request)', () => {
    const result = invoiceCoverage({ subscriptions: [sub({ previousPeriodEnd: '2026-04-01T00:00:00Z' })], cutoff: '2026-04-01T00:00:00Z', now });
    expect(result).toEqual({ ok: false, code: 'already_invoiced', message: 'the customer is already invoiced up to 2026-04-01T00:00:00.000Z' });
  });

  it('leaves out a subscription already invoiced to the cutoff when another one has usage to bill', () => {
    const result = invoiceCoverage({
      subscriptions: [sub({ previousPeriodEnd: '2026-04-01T00:00:00Z' }), sub({ id: 'sub_b', startDate: '2026-02-01T00:00:00Z' })],
      cutoff: '2026-04-01T00:00:00Z',
      now,
    });
    expect(periods(result)).toEqual([['sub_b', '2026-02-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']]);
  });

  it.each([
    ['no subscription at all', []],
    ['one starting at or after the cutoff', [sub({ startDate: '2026-04-01T00:00:00Z' })]],
    ['one cancelled before it started', [sub({ canceledAt: '2026-01-01T00:00:00Z' })]],
    ['one cancelled and invoiced to its cancellation', [sub({ canceledAt: '2026-02-10T00:00:00Z', previousPeriodEnd: '2026-03-01T00:00:00Z' })]],
  ])('refuses with no_active_subscription for %s', (_name, subscriptions) => {
    expect(periods(invoiceCoverage({ subscriptions, cutoff: '2026-04-01T00:00:00Z', now }))).toBe('no_active_subscription');
  });

  it('still bills a subscription cancelled inside its period (up to the cutoff; pricing stops usage at the cancellation)', () => {
    const result = invoiceCoverage({ subscriptions: [sub({ canceledAt: '2026-02-10T00:00:00Z' })], cutoff: '2026-04-01T00:00:00Z', now });
    expect(periods(result)).toEqual([['sub_a', '2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']]);
  });

  it('asks for a currency when the subscriptions to bill use several, naming them', () => {
    const subscriptions = [sub({ currency: 'USD' }), sub({ id: 'sub_b', currency: 'EUR' }), sub({ id: 'sub_c', currency: 'USD' })];
    const result = invoiceCoverage({ subscriptions, cutoff: '2026-04-01T00:00:00Z', now });
    expect(result).toEqual({ ok: false, code: 'currency_required', message: expect.stringContaining('EUR, USD'), currencies: ['EUR', 'USD'] });
    const usd = invoiceCoverage({ subscriptions, cutoff: '2026-04-01T00:00:00Z', now, currency: 'USD' });
    expect(periods(usd)).toEqual([
      ['sub_a', '2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
      ['sub_c', '2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
    ]);
  });

  it('refuses a currency the customer is not billed in', () => {
    const result = invoiceCoverage({ subscriptions: [sub()], cutoff: '2026-04-01T00:00:00Z', now, currency: 'EUR' });
    expect(result).toMatchObject({ ok: false, code: 'no_active_subscription', message: expect.stringContaining('EUR') });
  });
});

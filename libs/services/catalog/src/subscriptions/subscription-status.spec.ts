import { SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { subscriptionStatus, subscriptionView } from './subscription-status';

const base: SubscriptionRecord = {
  id: 'sub_test',
  customer_id: 'cust_1',
  plan_id: 'plan_1',
  plan_version: 2,
  start_date: '2026-01-01T00:00:00.000Z',
  canceled_at: null,
  created_at: '2025-12-01T00:00:00.000Z',
};

describe('subscriptionStatus', () => {
  it('is pending before the start date and active from it on', () => {
    expect(subscriptionStatus(base, new Date('2025-12-31T23:59:59.999Z'))).toBe('pending');
    expect(subscriptionStatus(base, new Date('2026-01-01T00:00:00.000Z'))).toBe('active');
  });

  it('is canceled from canceled_at on, and still active before a scheduled cancellation', () => {
    const canceled = { ...base, canceled_at: '2026-02-01T00:00:00.000Z' };
    expect(subscriptionStatus(canceled, new Date('2026-01-31T00:00:00.000Z'))).toBe('active');
    expect(subscriptionStatus(canceled, new Date('2026-02-01T00:00:00.000Z'))).toBe('canceled');
  });

  it('is canceled when canceled before it ever started', () => {
    const canceled = { ...base, canceled_at: '2025-12-15T00:00:00.000Z' };
    expect(subscriptionStatus(canceled, new Date('2025-12-20T00:00:00.000Z'))).toBe('canceled');
  });

  it('shows the current cycle on a plan with a billing interval, nulls without one', () => {
    const monthly = { ...base, start_date: '2026-01-31T00:00:00.000Z', billing_interval: 'month' as const };
    expect(subscriptionView(monthly, new Date('2026-03-01T00:00:00Z'))).toMatchObject({
      current_period_start: '2026-02-28T00:00:00.000Z',
      current_period_end: '2026-03-31T00:00:00.000Z',
    });
    expect(subscriptionView(base, new Date('2026-03-01T00:00:00Z'))).toMatchObject({ current_period_start: null, current_period_end: null });
  });

  it('puts the status right after the id in the view', () => {
    expect(Object.keys(subscriptionView(base, new Date('2026-03-01T00:00:00Z'))).slice(0, 2)).toEqual(['id', 'status']);
  });
});

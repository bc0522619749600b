import type { CalculationJson } from '@abaxus/contracts/pricing-calculation';
import { proratedCalculation } from './prorated-calculation';

const calculation = (start: string, end: string, usage = { start, end }): CalculationJson => ({
  calculation_id: 'calc_1',
  customer_id: 'cust_acme',
  subscription_id: 'sub_1',
  plan_id: 'plan',
  plan_version: 1,
  currency: 'USD',
  period_start: start,
  period_end: end,
  usage_period: usage,
  total_amount: '39.00',
  line_items: [
    { metric_key: null, model: 'flat_fee', quantity: '1', amount: '29.00' },
    { metric_key: 'api_calls', model: 'per_unit', quantity: '10', amount: '10.00' },
  ],
  created_at: '2026-05-01T00:00:00.000Z',
});

const monthly = { billing_interval: 'month' as const, start_date: '2026-04-01T00:00:00.000Z' };

describe('proratedCalculation', () => {
  it('keeps the lines of a plan without an interval as they are', () => {
    const result = proratedCalculation(calculation('2026-04-16T00:00:00Z', '2026-05-01T00:00:00Z'), null);
    expect([result.total.toFixed(2), result.line_items[0].amount]).toEqual(['39.00', '29.00']);
  });

  it('charges a whole cycle in full, without a proration', () => {
    const result = proratedCalculation(calculation('2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z'), monthly);
    expect(result.line_items[0]).toEqual({ metric_key: null, model: 'flat_fee', quantity: '1', amount: '29.00' });
    expect(result.total.toFixed(2)).toBe('39.00');
  });

  it('prorates the flat fee to the usage period and names the fraction; usage lines stay', () => {
    // Canceled on Apr 16: the calculation's usage period ends there; 15 of April's 30 days.
    const result = proratedCalculation(
      calculation('2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', { start: '2026-04-01T00:00:00.000Z', end: '2026-04-16T00:00:00.000Z' }),
      monthly,
    );
    expect(result.line_items[0]).toEqual({
      metric_key: null,
      model: 'flat_fee',
      quantity: '1',
      amount: '14.50',
      proration: { from: '2026-04-01T00:00:00.000Z', to: '2026-04-16T00:00:00.000Z', fraction: '0.5' },
    });
    expect(result.line_items[1].amount).toBe('10.00');
    expect(result.total.toFixed(2)).toBe('24.50');
  });

  it('shows the trial part of the fee as a zero line marked trial, then charges the rest', () => {
    const result = proratedCalculation(calculation('2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z'), {
      ...monthly,
      trial_end: '2026-04-11T00:00:00.000Z',
    });
    expect(result.line_items.slice(0, 2)).toEqual([
      {
        metric_key: null,
        model: 'flat_fee',
        quantity: '0',
        amount: '0.00',
        trial: true,
        proration: { from: '2026-04-01T00:00:00.000Z', to: '2026-04-11T00:00:00.000Z', fraction: '0.333333333333' },
      },
      {
        metric_key: null,
        model: 'flat_fee',
        quantity: '1',
        amount: '19.33',
        proration: { from: '2026-04-11T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z', fraction: '0.666666666667' },
      },
    ]);
  });
});

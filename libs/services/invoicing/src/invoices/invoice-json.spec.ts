import type { CalculationJson } from '@abaxus/contracts/pricing-calculation';
import { invoiceToJson, snapshotOf } from './invoice-json';
import { proratedCalculation } from './prorated-calculation';

const calculation = (overrides: Partial<CalculationJson> = {}): CalculationJson => ({
  calculation_id: 'calc_1',
  customer_id: 'cust_acme',
  subscription_id: 'sub_1',
  plan_id: 'plan',
  plan_version: 2,
  currency: 'USD',
  period_start: '2026-03-01T00:00:00.000Z',
  period_end: '2026-04-01T00:00:00.000Z',
  usage_period: { start: '2026-03-01T00:00:00.000Z', end: '2026-04-01T00:00:00.000Z' },
  total_amount: '41.50',
  line_items: [{ metric_key: 'm', model: 'per_unit', quantity: '83', amount: '41.50' }],
  created_at: '2026-04-01T00:00:00.000Z',
  ...overrides,
});

describe('snapshotOf', () => {
  it('groups each calculation, flattens its lines and totals them', () => {
    const { snapshot, total } = snapshotOf('USD', [
      proratedCalculation(calculation(), null),
      proratedCalculation(calculation({ calculation_id: 'calc_2', subscription_id: 'sub_2', total_amount: '0.05', line_items: [] }), null),
    ]);
    expect(total.toFixed(2)).toBe('41.55');
    expect(snapshot.calculation_ids).toEqual(['calc_1', 'calc_2']);
    expect(snapshot.line_groups.map((group) => [group.subscription_id, group.amount, group.plan_version])).toEqual([
      ['sub_1', '41.50', 2],
      ['sub_2', '0.05', 2],
    ]);
    expect(snapshot.line_items).toEqual([{ subscription_id: 'sub_1', metric_key: 'm', model: 'per_unit', quantity: '83', amount: '41.50' }]);
  });

  it('refuses to mix currencies', () => {
    expect(() => snapshotOf('USD', [proratedCalculation(calculation({ currency: 'EUR' }), null)])).toThrow('is in EUR, the invoice in USD');
  });
});

describe('invoiceToJson', () => {
  it("shows amounts at the currency's minor unit and timestamps in UTC", () => {
    const { snapshot } = snapshotOf('JPY', [proratedCalculation(calculation({ currency: 'JPY', total_amount: '120' }), null)]);
    const json = invoiceToJson(
      {
        id: 'inv_1',
        number: 'INV-000001',
        customer_id: 'cust_acme',
        status: 'issued',
        currency: 'JPY',
        period_start: new Date('2026-03-01T00:00:00Z'),
        period_end: new Date('2026-04-01T00:00:00Z'),
        total_amount: '120',
        snapshot: JSON.stringify(snapshot),
        payment_intent: null,
        sent_at: null,
        paid_at: null,
        archived_at: null,
        created_at: new Date('2026-04-01T08:00:00Z'),
      },
      [
        {
          attempt_number: 1,
          status: 'failed',
          payment_intent_id: 'pi_1',
          failure_code: 'card_declined',
          decline_code: 'do_not_honor',
          created_at: new Date('2026-04-02T00:00:00Z'),
        },
      ],
    );
    expect(json).toMatchObject({ total_amount: '120', period_end: '2026-04-01T00:00:00.000Z', calculation_ids: ['calc_1'] });
    expect(json.payment_attempts).toEqual([
      {
        attempt: 1,
        status: 'failed',
        payment_intent: 'pi_1',
        failure_code: 'card_declined',
        decline_code: 'do_not_honor',
        created_at: '2026-04-02T00:00:00.000Z',
      },
    ]);
  });
});

import Big from 'big.js';
import fc from 'fast-check';
import { AvailableGrant, consumptionPlan, liveBalance } from './credit-consumption';
import {
  balances,
  consumptionMovement,
  consumptionReturnMovement,
  crossedLowBalance,
  grantAccount,
  grantMovement,
  grantVoidMovement,
  isNonNegativeAccount,
  LedgerEntry,
} from './credit-ledger';

const at = new Date('2026-03-01T00:00:00Z');
const grant = (id: string, remaining: string, priority = 50, expiresAt: string | null = null, currency = 'USD'): AvailableGrant => ({
  id,
  currency,
  remaining: new Big(remaining),
  priority,
  expiresAt: expiresAt ? new Date(expiresAt) : null,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  voided: false,
});
const plan = (grants: AvailableGrant[], amount: string, currency = 'USD') =>
  consumptionPlan(grants, currency, new Big(amount), at).map((draw) => [draw.grantId, draw.amount.toFixed()]);

describe('consumptionPlan', () => {
  it('USD: spends by priority first, then the earliest expiry, no expiry last', () => {
    const grants = [
      grant('late', '10', 50, '2026-12-01T00:00:00Z'),
      grant('never', '10', 50),
      grant('soon', '10', 50, '2026-04-01T00:00:00Z'),
      grant('first', '5', 10),
    ];
    expect(plan(grants, '22.50')).toEqual([
      ['first', '5'],
      ['soon', '10'],
      ['late', '7.5'],
    ]);
  });

  it('JPY: an expired grant stops counting at its expiry instant', () => {
    const grants = [grant('gone', '500', 1, at.toISOString(), 'JPY'), grant('live', '300', 50, null, 'JPY')];
    expect(plan(grants, '1000', 'JPY')).toEqual([['live', '300']]);
    expect(liveBalance(grants, 'JPY', at).toFixed()).toBe('300');
    expect(liveBalance(grants, 'JPY', new Date(at.getTime() - 1)).toFixed()).toBe('800');
  });

  it('KWD: other currencies and voided grants are never spent', () => {
    const grants = [grant('usd', '5'), { ...grant('void', '5', 1, null, 'KWD'), voided: true }, grant('kwd', '1.250', 50, null, 'KWD')];
    expect(plan(grants, '2.000', 'KWD')).toEqual([['kwd', '1.25']]);
  });
});

describe('ledger movements', () => {
  it('every movement is two entries that sum to zero', () => {
    for (const movement of [
      grantMovement('g', 'c', 'USD', new Big('10')),
      grantVoidMovement('g', 'c', 'USD', new Big('1')),
      consumptionMovement('g', 'i', new Big('2')),
      consumptionReturnMovement('g', 'i', new Big('2')),
    ]) {
      expect(movement.entries[0].amount.plus(movement.entries[1].amount).toFixed()).toBe('0');
    }
    expect(() => consumptionMovement('g', 'i', new Big(0))).toThrow(RangeError);
  });

  it('low balance fires once, when spending crosses below 10% of what was granted', () => {
    expect(crossedLowBalance(new Big(20), new Big(5), new Big(100))).toBe(true);
    expect(crossedLowBalance(new Big(9), new Big(5), new Big(100))).toBe(false);
    expect(crossedLowBalance(new Big(20), new Big(10), new Big(100))).toBe(false);
  });

  it('random grants, spends, invoice voids and grant voids: the ledger balances and no account goes negative', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('grant' as const), cents: fc.integer({ min: 1, max: 100_000 }), priority: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ kind: fc.constant('spend' as const), cents: fc.integer({ min: 1, max: 100_000 }) }),
      fc.record({ kind: fc.constant('void_invoice' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('void_grant' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        const entries: LedgerEntry[] = [];
        const grants: AvailableGrant[] = [];
        const invoices: Array<{ id: string; draws: Array<{ grantId: string; amount: Big }>; voided: boolean }> = [];
        const remaining = (id: string) => balances(entries).get(grantAccount(id)) ?? new Big(0);
        operations.forEach((op, index) => {
          if (op.kind === 'grant') {
            const id = `g${index}`;
            entries.push(...grantMovement(id, 'cus', 'USD', new Big(op.cents).div(100)).entries);
            grants.push({ ...grant(id, '0', op.priority) });
          } else if (op.kind === 'spend') {
            const live = grants.map((candidate) => ({ ...candidate, remaining: remaining(candidate.id) }));
            const draws = consumptionPlan(live, 'USD', new Big(op.cents).div(100), at);
            const id = `i${index}`;
            for (const draw of draws) entries.push(...consumptionMovement(draw.grantId, id, draw.amount).entries);
            invoices.push({ id, draws, voided: false });
          } else if (op.kind === 'void_invoice' && invoices.length) {
            const invoice = invoices[op.pick % invoices.length];
            if (!invoice.voided) for (const draw of invoice.draws) entries.push(...consumptionReturnMovement(draw.grantId, invoice.id, draw.amount).entries);
            invoice.voided = true;
          } else if (op.kind === 'void_grant' && grants.length) {
            const target = grants[op.pick % grants.length];
            const left = remaining(target.id);
            if (!target.voided && left.gt(0)) entries.push(...grantVoidMovement(target.id, 'cus', 'USD', left).entries);
            target.voided = true;
          }
        });
        expect(entries.reduce((sum, entry) => sum.plus(entry.amount), new Big(0)).toFixed()).toBe('0');
        for (const [account, balance] of balances(entries)) if (isNonNegativeAccount(account)) expect(balance.gte(0)).toBe(true);
      }),
    );
  });
});

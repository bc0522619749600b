import Big from 'big.js';
import fc from 'fast-check';
import { prorateFlatFee } from './flat-fee-proration';
import { Phase, phaseAt, phasePieces, phasesUntil, planChange, planVersionToPrice } from './subscription-phase';

describe('planVersionToPrice', () => {
  const subscription = {
    plan_id: 'plan_pro',
    plan_version: 2,
    phases: [
      { plan_id: 'plan_basic', plan_version: 1 },
      { plan_id: 'plan_pro', plan_version: 2 },
    ],
  };

  it('prices the pinned version when none is requested', () => {
    expect(planVersionToPrice({ plan_id: 'plan_basic', plan_version: 3 }, undefined)).toEqual({ plan_id: 'plan_basic', plan_version: 3 });
  });

  it("prices a requested version the subscription has or had (its pinned one or a phase's)", () => {
    expect(planVersionToPrice(subscription, { plan_id: 'plan_basic', plan_version: 1 })).toEqual({ plan_id: 'plan_basic', plan_version: 1 });
    expect(planVersionToPrice(subscription, { plan_id: 'plan_pro', plan_version: 2 })).toEqual({ plan_id: 'plan_pro', plan_version: 2 });
    expect(planVersionToPrice({ plan_id: 'plan_basic', plan_version: 3 }, { plan_id: 'plan_basic', plan_version: 3 })).toEqual({
      plan_id: 'plan_basic',
      plan_version: 3,
    });
  });

  it('refuses a plan or a version the subscription never had', () => {
    expect(planVersionToPrice(subscription, { plan_id: 'plan_basic', plan_version: 2 })).toBeUndefined();
    expect(planVersionToPrice(subscription, { plan_id: 'plan_enterprise', plan_version: 1 })).toBeUndefined();
    expect(planVersionToPrice({ plan_id: 'plan_basic', plan_version: 3, phases: null }, { plan_id: 'plan_basic', plan_version: 2 })).toBeUndefined();
  });
});

describe('plan changes and phase pieces', () => {
  const start = new Date('2026-01-01T00:00:00Z');
  const base: Phase[] = [{ plan_id: 'basic', plan_version: 1, start: start.toISOString(), end: null }];
  const change = (phases: Phase[], plan_id: string, at: string, now = '2026-01-20T00:00:00Z', canceled_at: Date | null = null) =>
    planChange(phases, { plan_id, plan_version: 1, at: new Date(at), now: new Date(now), start_date: start, canceled_at });
  const ok = (result: ReturnType<typeof planChange>) => {
    if (!result.ok) throw new Error(result.message);
    return result.phases;
  };

  it('ends the phase in force at the change and starts the new plan there; the phase in force follows the time', () => {
    const phases = ok(change(base, 'pro', '2026-01-16T00:00:00Z'));
    expect(phases).toEqual([
      { plan_id: 'basic', plan_version: 1, start: '2026-01-01T00:00:00.000Z', end: '2026-01-16T00:00:00.000Z' },
      { plan_id: 'pro', plan_version: 1, start: '2026-01-16T00:00:00.000Z', end: null },
    ]);
    expect(phaseAt(phases, new Date('2026-01-15T23:59:59.999Z')).plan_id).toBe('basic');
    expect(phaseAt(phases, new Date('2026-01-16T00:00:00Z')).plan_id).toBe('pro');
  });

  it('refuses a change at or before the start, at or after the end, before the phase in force, or to the plan in force', () => {
    expect(change(base, 'pro', '2026-01-01T00:00:00Z')).toMatchObject({ ok: false, code: 'change_before_start', field: 'at' });
    expect(change(base, 'pro', '2026-01-10T00:00:00Z', undefined, new Date('2026-01-10T00:00:00Z'))).toMatchObject({ ok: false, code: 'change_after_end' });
    const changed = ok(change(base, 'pro', '2026-01-16T00:00:00Z'));
    expect(change(changed, 'max', '2026-01-15T00:00:00Z')).toMatchObject({ ok: false, code: 'change_before_phase', field: 'at' });
    expect(change(base, 'basic', '2026-01-16T00:00:00Z')).toMatchObject({ ok: false, code: 'plan_unchanged', field: 'plan_id' });
  });

  it('a later request replaces a scheduled change; asking for the plan in force cancels it', () => {
    const scheduled = ok(change(base, 'pro', '2026-02-10T00:00:00Z'));
    expect(phaseAt(scheduled, new Date('2026-01-20T00:00:00Z')).plan_id).toBe('basic');
    const replaced = change(scheduled, 'max', '2026-02-05T00:00:00Z');
    expect(ok(replaced).map((phase) => phase.plan_id)).toEqual(['basic', 'max']);
    expect(replaced.ok && replaced.replaced.map((phase) => phase.plan_id)).toEqual(['pro']);
    expect(ok(change(scheduled, 'basic', '2026-02-10T00:00:00Z'))).toEqual(base.map((phase) => ({ ...phase, start: '2026-01-01T00:00:00.000Z' })));
  });

  it('cuts a window at the phase boundaries: two changes in one cycle give three pieces', () => {
    const phases = ok(change(ok(change(base, 'pro', '2026-01-11T00:00:00Z')), 'basic', '2026-01-21T00:00:00Z', '2026-01-25T00:00:00Z'));
    const pieces = phasePieces(phases, start, new Date('2026-02-01T00:00:00Z'));
    expect(pieces.map((piece) => [piece.phase.plan_id, piece.from.toISOString(), piece.to.toISOString()])).toEqual([
      ['basic', '2026-01-01T00:00:00.000Z', '2026-01-11T00:00:00.000Z'],
      ['pro', '2026-01-11T00:00:00.000Z', '2026-01-21T00:00:00.000Z'],
      ['basic', '2026-01-21T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    ]);
    // A window after the first change sees only the later phases.
    expect(phasePieces(phases, new Date('2026-01-15T00:00:00Z'), new Date('2026-01-25T00:00:00Z')).map((piece) => piece.phase.plan_id)).toEqual([
      'pro',
      'basic',
    ]);
  });

  const prorate = (fee: string, from: Date, to: Date) =>
    prorateFlatFee({ fee: new Big(fee), currency: 'USD', anchor: start, interval: 'month', from, to }).amount;

  it('prorates an upgrade and a downgrade mid-cycle by the seconds of the cycle each phase covers', () => {
    // January has 31 days; a change on Jan 11 00:00 leaves 10/31 to the first phase and 21/31 to the second.
    const change = new Date('2026-01-11T00:00:00Z');
    const end = new Date('2026-02-01T00:00:00Z');
    // Upgrade 10.00 → 100.00: 10 × 10/31 = 3.2258… → 3.23; 100 × 21/31 = 67.7419… (cumulative: 100 − round(100 × 10/31) = 100 − 32.26) → 67.74.
    expect([prorate('10', start, change).toFixed(2), prorate('100', change, end).toFixed(2)]).toEqual(['3.23', '67.74']);
    // Downgrade 100.00 → 10.00: 32.26 + (10 − 3.23) = 6.77.
    expect([prorate('100', start, change).toFixed(2), prorate('10', change, end).toFixed(2)]).toEqual(['32.26', '6.77']);
  });

  it('back-to-back phases of the same fee add up to the full fee to the cent (two changes in one cycle)', () => {
    const cuts = [start, new Date('2026-01-11T07:13:01Z'), new Date('2026-01-21T19:00:00.001Z'), new Date('2026-02-01T00:00:00Z')];
    const sum = cuts.slice(1).reduce((total, to, index) => total.plus(prorate('29.99', cuts[index], to)), new Big(0));
    expect(sum.toFixed(2)).toBe('29.99');
  });

  it('property: pieces cut anywhere in a cycle sum to the full fee exactly, and each differs from its exact share by at most one cent', () => {
    const cycleMs = Date.parse('2026-02-01T00:00:00Z') - start.getTime();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999 }), fc.uniqueArray(fc.integer({ min: 1, max: cycleMs - 1 }), { maxLength: 6 }), (cents, offsets) => {
        const fee = new Big(cents).div(100);
        const bounds = [0, ...offsets.sort((a, b) => a - b), cycleMs].map((offset) => new Date(start.getTime() + offset));
        let sum = new Big(0);
        for (let i = 1; i < bounds.length; i++) {
          const piece = prorate(fee.toString(), bounds[i - 1], bounds[i]);
          const exact = fee.times(bounds[i].getTime() - bounds[i - 1].getTime()).div(cycleMs);
          expect(piece.minus(exact).abs().lte('0.01')).toBe(true);
          sum = sum.plus(piece);
        }
        expect(sum.eq(fee)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('phasesUntil', () => {
  it('ends the last phase at the cancellation and drops a change scheduled after it', () => {
    const phases: Phase[] = [
      { plan_id: 'basic', plan_version: 1, start: '2026-01-01T00:00:00.000Z', end: '2026-02-10T00:00:00.000Z' },
      { plan_id: 'pro', plan_version: 1, start: '2026-02-10T00:00:00.000Z', end: null },
    ];
    expect(phasesUntil(phases, new Date('2026-02-01T00:00:00Z'))).toEqual([
      { plan_id: 'basic', plan_version: 1, start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' },
    ]);
    expect(phasesUntil(phases, new Date('2026-03-01T00:00:00Z'))[1].end).toBe('2026-03-01T00:00:00.000Z');
  });
});

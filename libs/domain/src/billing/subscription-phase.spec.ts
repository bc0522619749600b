import { planVersionToPrice } from './subscription-phase';

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

import { errorsOf } from '../../testing/plan-charges';
import { CHARGE_MODELS, isChargeModel, pricingModel } from './registry';

// Rules every registered model follows, checked for each one (a new model is covered by being listed).
describe('pricing model registry', () => {
  it('lists the contract models in the order error messages give them', () => {
    expect(CHARGE_MODELS).toEqual(['per_unit', 'tiered', 'volume', 'package', 'flat_fee', 'percentage']);
  });

  it('knows model names only, not inherited object keys', () => {
    expect(CHARGE_MODELS.every(isChargeModel)).toBe(true);
    for (const name of ['graduated', 'constructor', 'toString', '__proto__', '', 42, null]) expect(isChargeModel(name)).toBe(false);
  });

  describe.each(CHARGE_MODELS)('%s', (model) => {
    const rules = pricingModel(model);
    const metric = rules.metered ? { metric_key: 'api_calls' } : {};

    it('reports each missing required property at its field', () => {
      expect(errorsOf([{ ...metric, model, properties: {} }])).toEqual(
        rules.propertyFields.required.map((field) => ({ field: `charges[0].properties.${field}`, message: `is required for a ${model} charge` })),
      );
    });

    it('refuses a property field it does not know, naming the allowed ones', () => {
      const [issue] = errorsOf([{ ...metric, model, properties: { no_such_field: '1' } }]);
      const allowed = [...rules.propertyFields.required, ...rules.propertyFields.optional].join(', ');
      expect(issue).toEqual({ field: 'charges[0].properties.no_such_field', message: `unknown field for a ${model} charge (allowed: ${allowed})` });
    });

    it(rules.metered ? 'requires a metric_key' : 'refuses a metric_key', () => {
      const [issue] = rules.metered ? errorsOf([{ model, properties: {} }]) : errorsOf([{ model, metric_key: 'api_calls', properties: {} }]);
      expect(issue.field).toBe('charges[0].metric_key');
      expect(issue.message).toBe(rules.metered ? `is required for a ${model} charge` : `must not be set on a ${model} charge: ${rules.whyNoMetric}`);
    });
  });
});

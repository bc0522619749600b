import { Charge, ChargeJson, pricingModel } from './models/registry';

/*
 * The API's JSON shape of a charge (snake_case, decimal strings), so every service writes it the
 * same way. Optional inputs come out explicit (flat_amount "0", free_units "0");
 * parsePricePlanCharges reads this output back to the same charges.
 */
export function chargeToJson(charge: Charge): ChargeJson {
  const properties = pricingModel(charge.model).propertiesToJson(charge.properties);
  if (charge.metricKey === undefined) return { model: charge.model, properties } as ChargeJson;
  const json = {
    metric_key: charge.metricKey,
    model: charge.model,
    properties,
    ...(charge.filters ? { filters: Object.fromEntries(Object.entries(charge.filters).map(([name, values]) => [name, [...values]])) } : {}),
    ...(charge.groupBy ? { group_by: [...charge.groupBy] } : {}),
  };
  // The model's own propertiesToJson wrote the properties, so they match the model named beside them.
  return json as ChargeJson;
}

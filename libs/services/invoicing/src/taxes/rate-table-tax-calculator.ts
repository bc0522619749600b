import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { EntityManager } from 'typeorm';
import { taxesByRate } from '@abaxus/domain/adjustments/invoice-adjustments';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { TaxCalculator, TaxRequest, TaxResult } from './tax-calculator';
import { TaxRatesRepository } from './tax-rates.repository';

/** Taxes from the engine's own rate table (POST /v1/tax-rates), per line and rate. */
@Injectable()
export class RateTableTaxCalculator extends TaxCalculator {
  constructor(private readonly rates: TaxRatesRepository) {
    super();
  }

  async taxes(manager: EntityManager, request: TaxRequest): Promise<TaxResult> {
    if (request.taxRateIds.length === 0) return { lineTaxes: [], taxes: [] };
    const rows = await this.rates.find(request.taxRateIds, manager);
    const unknown = request.taxRateIds.filter((id) => !rows.some((row) => row.id === id));
    if (unknown.length) {
      // The catalog stores the ids as given: an id no rate has stops the invoice rather than under-tax it.
      throw new ProblemException(422, 'unknown_tax_rate', `Customer ${request.customerId} has tax_rate_ids that name no tax rate: ${unknown.join(', ')}.`, {
        errors: unknown.map((id) => ({ field: `tax_rate_ids[${request.taxRateIds.indexOf(id)}]`, message: `no tax rate ${id}` })),
      });
    }
    const ordered = request.taxRateIds.map((id) => rows.find((row) => row.id === id)!);
    return taxesByRate(
      request.currency,
      request.taxableLines,
      ordered.map((row) => ({ id: row.id, displayName: row.display_name, percentage: new Big(row.percentage), inclusive: row.inclusive })),
    );
  }
}

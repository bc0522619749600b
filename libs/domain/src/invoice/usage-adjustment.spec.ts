import Big from 'big.js';
import { ChargeFigure, chargeAdjustments } from './usage-adjustment';

const figure = (key: string, quantity: string, amount: string): ChargeFigure => ({ key, quantity: new Big(quantity), amount: new Big(amount) });
const shown = (adjustments: ReturnType<typeof chargeAdjustments>) =>
  adjustments.map((a) => [a.key, a.quantity.toString(), a.amount.toFixed(2), a.invoiced_amount.toFixed(2), a.repriced_amount.toFixed(2)]);

describe('chargeAdjustments', () => {
  it('bills the re-priced amount minus what was invoiced, per charge; unchanged charges give nothing', () => {
    const invoiced = [figure('p:1|api_calls|tiered', '10000', '10.00'), figure('p:1|storage|per_unit', '5', '5.00')];
    const repriced = [figure('p:1|api_calls|tiered', '12000', '11.00'), figure('p:1|storage|per_unit', '5', '5.00')];
    expect(shown(chargeAdjustments(invoiced, repriced))).toEqual([['p:1|api_calls|tiered', '2000', '1.00', '10.00', '11.00']]);
  });

  it('counts earlier adjustments as invoiced (a second late event bills only its own difference), and a lower figure is a credit', () => {
    const invoiced = [figure('k', '100', '1.00'), figure('k', '20', '0.20')];
    expect(shown(chargeAdjustments(invoiced, [figure('k', '130', '1.30')]))).toEqual([['k', '10', '0.10', '1.20', '1.30']]);
    expect(shown(chargeAdjustments(invoiced, [figure('k', '90', '0.90')]))).toEqual([['k', '-30', '-0.30', '1.20', '0.90']]);
  });

  it('sums a charge split over several lines, and credits a charge no longer priced', () => {
    expect(shown(chargeAdjustments([figure('a', '1', '2.00')], [figure('a', '1', '1.50'), figure('a', '1', '1.50'), figure('b', '0', '0')]))).toEqual([
      ['a', '1', '1.00', '2.00', '3.00'],
    ]);
    expect(shown(chargeAdjustments([figure('gone', '3', '3.00')], []))).toEqual([['gone', '-3', '-3.00', '3.00', '0.00']]);
  });
});

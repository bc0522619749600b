import { serviceForPath } from './service-routes';

describe('serviceForPath', () => {
  it('sends credits, discounts, coupons and tax rates to invoicing, the rest of a customer to the catalog', () => {
    expect(
      [
        '/v1/customers/acme/credit-grants',
        '/v1/customers/acme/credit-grants/cgr_1/void',
        '/v1/customers/acme/credit-balance',
        '/v1/customers/acme/discounts',
        '/v1/coupons',
        '/v1/coupons/TENOFF',
        '/v1/tax-rates?limit=5',
        '/v1/customers/acme/upcoming-invoice',
      ].map(serviceForPath),
    ).toEqual(Array(8).fill('invoicing'));
    expect(['/v1/customers/acme', '/v1/customers/credit-grants', '/v1/customers/acme/credit-grantsx'].map(serviceForPath)).toEqual([
      'catalog',
      'catalog',
      'catalog',
    ]);
  });
});

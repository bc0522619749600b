import { PostalAddress, postalAddressLines } from './postal-address';

const address = (overrides: Partial<PostalAddress>): PostalAddress => ({
  line1: '1 Main Street',
  line2: null,
  city: 'Springfield',
  postal_code: '12345',
  state: null,
  country: 'US',
  ...overrides,
});

describe('postalAddressLines', () => {
  it('writes a US address city, state and ZIP', () => {
    expect(postalAddressLines(address({ line2: 'Suite 400', city: 'San Francisco', state: 'CA', postal_code: '94103' }))).toEqual([
      '1 Main Street',
      'Suite 400',
      'San Francisco, CA 94103',
      'United States',
    ]);
  });

  it('writes most countries postal code first', () => {
    expect(postalAddressLines(address({ line1: 'Unter den Linden 1', city: 'Berlin', postal_code: '10117', country: 'DE' }))).toEqual([
      'Unter den Linden 1',
      '10117 Berlin',
      'Germany',
    ]);
  });

  it('writes a British address town then postcode', () => {
    expect(postalAddressLines(address({ line1: '10 Downing Street', city: 'London', postal_code: 'SW1A 2AA', country: 'GB' }))).toEqual([
      '10 Downing Street',
      'London SW1A 2AA',
      'United Kingdom',
    ]);
  });
});

import { COUNTRY_CODES, countryName, isCountryCode } from './country-codes';

describe('ISO 3166-1 alpha-2 country codes', () => {
  it('lists the 249 assigned codes and Kosovo, sorted, two upper-case letters each', () => {
    expect(COUNTRY_CODES).toHaveLength(250);
    expect(COUNTRY_CODES.every((code) => /^[A-Z]{2}$/.test(code))).toBe(true);
    expect([...COUNTRY_CODES].sort()).toEqual(COUNTRY_CODES);
  });

  it.each([
    ['DE', 'Germany'],
    ['US', 'United States'],
    ['JP', 'Japan'],
    ['KW', 'Kuwait'],
    ['CI', 'Côte d’Ivoire'],
    ['XK', 'Kosovo'],
  ])('names %s %s', (code, name) => {
    expect(isCountryCode(code)).toBe(true);
    expect(countryName(code)).toBe(name);
  });

  it.each(['de', 'UK', 'EU', 'DEU', 'D', '', 'ZZ', 'constructor', 276, null])('refuses %p', (code) => {
    expect(isCountryCode(code)).toBe(false);
  });

  it('throws when naming an unknown code', () => {
    expect(() => countryName('UK')).toThrow(RangeError);
  });
});

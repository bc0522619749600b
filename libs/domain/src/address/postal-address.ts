import { countryName, isCountryCode } from './country-codes';

/** A postal address, as customers and the invoice issuer carry it (`country`: ISO 3166-1 alpha-2). */
export interface PostalAddress {
  line1: string;
  line2: string | null;
  city: string;
  postal_code: string;
  state: string | null;
  country: string;
}

/** Longest accepted value of each address field and of a tax id (characters). */
export const POSTAL_ADDRESS_FIELD_MAX = { line1: 200, line2: 200, city: 100, postal_code: 20, state: 100 } as const;
export const TAX_ID_MAX = 64;

/** Where the locality line puts the postal code: "San Francisco, CA 94103", "London SW1A 1AA", else "10115 Berlin". */
const CITY_STATE_POSTCODE = new Set(['US', 'CA', 'AU', 'PR', 'GU', 'VI', 'AS', 'MP', 'UM']);
const CITY_POSTCODE = new Set(['GB', 'IE', 'IM', 'JE', 'GG', 'NZ', 'SG', 'KR', 'ZA', 'IN', 'BR']);

/**
 * The address as printed on a document: street lines, the locality line, the country's name. A
 * readable approximation, not the Universal Postal Union's format for every country.
 */
export function postalAddressLines(address: PostalAddress): string[] {
  const { city, state, postal_code: postalCode, country } = address;
  let locality: string;
  if (CITY_STATE_POSTCODE.has(country)) locality = `${city}, ${state ? `${state} ` : ''}${postalCode}`;
  else if (CITY_POSTCODE.has(country)) locality = `${city}${state ? `, ${state}` : ''} ${postalCode}`;
  else locality = `${postalCode} ${city}${state ? `, ${state}` : ''}`;
  return [address.line1, ...(address.line2 ? [address.line2] : []), locality, isCountryCode(country) ? countryName(country) : country];
}

import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, ValidateBy, ValidateNested } from 'class-validator';
import { COUNTRY_CODES } from '@abaxus/domain/address/country-codes';
import { PostalAddress, POSTAL_ADDRESS_FIELD_MAX, TAX_ID_MAX } from '@abaxus/domain/address/postal-address';

function textLineProblem(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length < 1 || value.length > max) return `must be 1 to ${max} characters`;
  if (!/\S/.test(value)) return 'must not be blank';
  return undefined;
}

/** A line of text: a string of 1 to `max` characters, not only spaces (one message per problem field). */
export function IsTextLine(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isTextLine',
    validator: {
      validate: (value) => textLineProblem(value, max) === undefined,
      defaultMessage: (args) => `${args?.property} ${textLineProblem(args?.value, max)}`,
    },
  });
}

/**
 * A postal address in a request body (customers' `address`, the invoice issuer's): the same shape
 * and rules wherever it is taken, each problem reported at its own path (`address.country`).
 */
export class PostalAddressDto {
  @IsTextLine(POSTAL_ADDRESS_FIELD_MAX.line1)
  line1: string;

  @IsOptional()
  @IsTextLine(POSTAL_ADDRESS_FIELD_MAX.line2)
  line2?: string | null;

  @IsTextLine(POSTAL_ADDRESS_FIELD_MAX.city)
  city: string;

  @IsTextLine(POSTAL_ADDRESS_FIELD_MAX.postal_code)
  postal_code: string;

  @IsOptional()
  @IsTextLine(POSTAL_ADDRESS_FIELD_MAX.state)
  state?: string | null;

  @IsString({ message: 'country must be a string' })
  @IsIn(COUNTRY_CODES, { message: 'country must be an upper-case ISO 3166-1 alpha-2 country code such as US or DE' })
  country: string;
}

/** An optional nested address (null clears it where the endpoint allows). */
export function IsOptionalPostalAddress(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsObject({ message: '$property must be an object with line1, city, postal_code and country' }),
    ValidateNested(),
    Type(() => PostalAddressDto),
  );
}

/** A tax id as the authority wrote it (VAT "DE123456789", EIN "12-3456789"): free text, 1–64 characters. */
export function IsOptionalTaxId(): PropertyDecorator {
  return applyDecorators(IsOptional(), IsTextLine(TAX_ID_MAX));
}

/** The stored shape: optional lines as null. */
export function postalAddressOf(dto: PostalAddressDto): PostalAddress {
  return { line1: dto.line1, line2: dto.line2 ?? null, city: dto.city, postal_code: dto.postal_code, state: dto.state ?? null, country: dto.country };
}

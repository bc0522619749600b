import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy, ValidateNested } from 'class-validator';
import { INVOICE_NUMBER_PREFIX_PATTERN } from '@abaxus/domain/invoice/invoice-number';
import { IsOptionalTaxId, IsTextLine, PostalAddressDto } from '@abaxus/platform/http/postal-address.dto';
import { readLogo } from './issuer-logo';

export const MAX_PAYMENT_TERMS_DAYS = 365;
export const MAX_FOOTER_LENGTH = 1000;

/** A PNG logo in base64, read by readLogo (its message names what is wrong). */
function IsBase64Png(): PropertyDecorator {
  return ValidateBy({
    name: 'isBase64Png',
    validator: {
      validate: (value) => readLogo(value).ok,
      defaultMessage: (args) => {
        const reading = readLogo(args?.value);
        return `${args?.property} ${reading.ok ? 'is fine' : reading.message}`;
      },
    },
  });
}

/** Who bills: printed at the top of every invoice issued from now on. */
export class IssuerDto {
  @IsTextLine(200)
  name: string;

  @IsObject({ message: 'address must be an object with line1, city, postal_code and country' })
  @ValidateNested()
  @Type(() => PostalAddressDto)
  address: PostalAddressDto;

  @IsOptionalTaxId()
  tax_id?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string | null;

  @IsOptional()
  @IsBase64Png()
  logo_png?: string | null;
}

export class InvoiceOptionsDto {
  @IsOptional()
  @IsInt({ message: 'payment_terms_days must be a whole number of days' })
  @Min(0, { message: 'payment_terms_days must be at least 0 (due on receipt)' })
  @Max(MAX_PAYMENT_TERMS_DAYS, { message: `payment_terms_days must be at most ${MAX_PAYMENT_TERMS_DAYS}` })
  payment_terms_days?: number;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_FOOTER_LENGTH, { message: `footer must be at most ${MAX_FOOTER_LENGTH} characters` })
  footer?: string | null;

  @IsOptional()
  @IsString()
  @Matches(INVOICE_NUMBER_PREFIX_PATTERN, { message: 'number_prefix must be 1 to 12 upper-case letters or digits, such as INV' })
  number_prefix?: string | null;
}

/** Body of PUT /v1/settings: replaces the settings whole (an absent optional field takes its default). */
export class PutSettingsDto {
  @IsObject({ message: 'issuer must be an object with name and address' })
  @ValidateNested()
  @Type(() => IssuerDto)
  issuer: IssuerDto;

  @IsOptional()
  @IsObject({ message: 'invoice must be an object' })
  @ValidateNested()
  @Type(() => InvoiceOptionsDto)
  invoice?: InvoiceOptionsDto | null;
}

import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsObject, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { CLIENT_ID_PATTERN } from '@abaxus/domain/client-id';
import { IsOptionalPostalAddress, IsOptionalTaxId, PostalAddressDto } from '@abaxus/platform/http/postal-address.dto';
import { IsClientId } from '../validation/client-id.validator';

export const BILLING_PROVIDERS = ['stripe'] as const;

/** Stripe object ids: a type prefix, then letters, digits and "_" (test helpers such as pm_card_visa). */
const STRIPE_CUSTOMER_ID = /^cus_[A-Za-z0-9_]{1,250}$/;
const STRIPE_PAYMENT_METHOD_ID = /^pm_[A-Za-z0-9_]{1,250}$/;

export class BillingDto {
  @IsIn(BILLING_PROVIDERS, { message: `provider must be one of ${BILLING_PROVIDERS.join(', ')}` })
  provider: (typeof BILLING_PROVIDERS)[number];
}

/** A saved Stripe payment method: reusing a card off-session needs both the customer and the method. */
export class PaymentMethodDto {
  @IsString({ message: 'provider_customer_id is required: the Stripe customer (cus_…) the payment method is saved on' })
  @Matches(STRIPE_CUSTOMER_ID, { message: 'provider_customer_id must be a Stripe customer id (cus_…)' })
  provider_customer_id: string;

  @IsOptional()
  @IsString()
  @Matches(STRIPE_PAYMENT_METHOD_ID, { message: 'provider_payment_method must be a Stripe payment method id (pm_…)' })
  provider_payment_method?: string | null;
}

/** The fields PATCH may replace; `null` clears one, an absent field stays as it is. */
export class UpdateCustomerDto {
  @IsOptional()
  @IsString()
  @Length(1, 255)
  name?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string | null;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BillingDto)
  billing?: BillingDto | null;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PaymentMethodDto)
  payment_method?: PaymentMethodDto | null;

  /** Printed as "Billed to" on invoices; PATCH replaces it whole. */
  @IsOptionalPostalAddress()
  address?: PostalAddressDto | null;

  @IsOptionalTaxId()
  tax_id?: string | null;

  /** Ids of invoicing's tax rates (POST /v1/tax-rates), checked when an invoice is issued; PATCH replaces the list, null clears it. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @Matches(CLIENT_ID_PATTERN, { each: true, message: 'each of tax_rate_ids must be a tax rate id' })
  tax_rate_ids?: string[] | null;
}

/** Body of POST /v1/customers. */
export class CreateCustomerDto extends UpdateCustomerDto {
  @IsClientId()
  id: string;
}

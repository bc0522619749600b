import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsRfc3339Timestamp } from '@abaxus/platform/http/rfc3339-timestamp.validator';

/** Body of POST /v1/invoices. */
export class IssueInvoiceDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  customer_id: string;

  /** Becomes period_end (exclusive). */
  @IsRfc3339Timestamp()
  cutoff_date: string;

  /** Needed only when the customer's subscriptions are billed in several currencies. */
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code in upper case, such as "USD"' })
  currency?: string;
}

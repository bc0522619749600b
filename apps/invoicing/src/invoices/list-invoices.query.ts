import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { INVOICE_STATUSES, InvoiceStatus } from '@abaxus/domain/invoice/invoice-lifecycle';

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 500;

/** GET /v1/invoices: newest first, `starting_after` = the last id of the previous page. */
export class ListInvoicesQuery {
  @IsOptional()
  @IsString()
  @Length(1, 128)
  customer_id?: string;

  @IsOptional()
  @IsIn(INVOICE_STATUSES, { message: `status must be one of ${INVOICE_STATUSES.join(', ')}` })
  status?: InvoiceStatus;

  @IsOptional()
  @Matches(/^(?:[1-9]\d?|[1-4]\d\d|500)$/, { message: `limit must be an integer from 1 to ${MAX_LIST_LIMIT}` })
  limit?: string;

  @IsOptional()
  @IsString()
  @Length(1, 255)
  starting_after?: string;
}

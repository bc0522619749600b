import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { INVOICE_STATUSES, InvoiceStatus } from '@abaxus/domain/invoice/invoice-lifecycle';
import { ListQueryDto } from '@abaxus/platform/http/listing/list-query.dto';

/** GET /v1/invoices: newest first, `starting_after` = the last id of the previous page. */
export class ListInvoicesQuery extends ListQueryDto {
  @IsOptional()
  @IsString()
  @Length(1, 128)
  customer_id?: string;

  @IsOptional()
  @IsIn(INVOICE_STATUSES, { message: `status must be one of ${INVOICE_STATUSES.join(', ')}` })
  status?: InvoiceStatus;
}

import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsIn, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { CREDIT_NOTE_REASONS, CreditNoteReason } from '@abaxus/domain/invoice/credit-note';
import { ListQueryDto } from '@abaxus/platform/http/listing/list-query.dto';

export const MAX_CREDIT_NOTE_MEMO_LENGTH = 500;

/** One credited line. The amount is read as a decimal by the credit note rules (string or exact JSON number). */
export class CreditNoteLineDto {
  @IsString()
  @MaxLength(16)
  line_item_id: string;

  @IsDefined({ message: 'amount is required; send it as a decimal string, e.g. "10.00"' })
  amount: unknown;
}

/** Body of POST /v1/invoices/{id}/credit-notes: `amount` or `line_items`, not both. */
export class CreateCreditNoteDto {
  @IsOptional()
  amount?: unknown;

  @IsOptional()
  @IsArray({ message: 'line_items must be an array of {line_item_id, amount}' })
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => CreditNoteLineDto)
  line_items?: CreditNoteLineDto[];

  @IsIn(CREDIT_NOTE_REASONS, { message: `reason must be one of ${CREDIT_NOTE_REASONS.join(', ')}` })
  reason: CreditNoteReason;

  @IsBoolean({ message: 'refund must be true (refund a paid invoice to the card) or false' })
  refund: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_CREDIT_NOTE_MEMO_LENGTH)
  memo?: string | null;
}

/** GET /v1/credit-notes: newest first, `starting_after` = the last id of the previous page. */
export class ListCreditNotesQuery extends ListQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(128)
  customer_id?: string;
}

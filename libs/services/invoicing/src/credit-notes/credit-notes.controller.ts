import { Body, Controller, Get, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { EmptyBodyDto } from '@abaxus/platform/http/empty-body.dto';
import { Page } from '@abaxus/platform/http/listing/page';
import { CreateCreditNoteDto, ListCreditNotesQuery } from './credit-note.dto';
import { CreditNoteJson } from './credit-note-json';
import { CreditNoteDocuments } from './credit-note-documents.service';
import { CreditNoteEmailService } from './credit-note-email.service';
import { CreditNotesService } from './credit-notes.service';

/** Credit notes of one invoice: issue one, list them. */
@Controller('v1/invoices')
export class InvoiceCreditNotesController {
  constructor(private readonly creditNotes: CreditNotesService) {}

  /** 201 with the note; 404 unknown invoice; 409 voided or archived invoice, or a payment in flight; 422 more than is left to credit. */
  @Post(':id/credit-notes')
  @HttpCode(201)
  create(@Param('id') id: string, @Body() request: CreateCreditNoteDto): Promise<CreditNoteJson> {
    return this.creditNotes.create(id, request);
  }

  @Get(':id/credit-notes')
  list(@Param('id') id: string, @Query() query: ListCreditNotesQuery): Promise<Page<CreditNoteJson>> {
    return this.creditNotes.list(query, id);
  }
}

@Controller('v1/credit-notes')
export class CreditNotesController {
  constructor(
    private readonly creditNotes: CreditNotesService,
    private readonly documents: CreditNoteDocuments,
    private readonly email: CreditNoteEmailService,
  ) {}

  @Get()
  list(@Query() query: ListCreditNotesQuery): Promise<Page<CreditNoteJson>> {
    return this.creditNotes.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<CreditNoteJson> {
    return this.creditNotes.get(id);
  }

  /** Asks Stripe again about a pending refund, with the same idempotency key; a settled one is answered as it is. */
  @Post(':id/refund')
  @HttpCode(200)
  retryRefund(@Param('id') id: string, @Body() _body: EmptyBodyDto): Promise<CreditNoteJson> {
    return this.creditNotes.retryRefund(id);
  }

  @Get(':id/pdf')
  async pdf(@Param('id') id: string): Promise<StreamableFile> {
    const { number, pdf } = await this.documents.pdf(id);
    return new StreamableFile(pdf, { type: 'application/pdf', disposition: `inline; filename="${number}.pdf"`, length: pdf.length });
  }

  /** 200 with the note (sent_at set); 422 no email on file; 502 the mail server refused; 503 no SMTP_URL. */
  @Post(':id/send-email')
  @HttpCode(200)
  send(@Param('id') id: string, @Body() _body: EmptyBodyDto): Promise<CreditNoteJson> {
    return this.email.send(id);
  }
}

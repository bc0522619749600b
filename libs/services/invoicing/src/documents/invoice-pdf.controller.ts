import { Controller, Get, Param, StreamableFile } from '@nestjs/common';
import { InvoiceDocuments } from './invoice-documents.service';

@Controller('v1/invoices')
export class InvoicePdfController {
  constructor(private readonly documents: InvoiceDocuments) {}

  /** The invoice's document as a PDF (the same one send-email attaches); 404 for an unknown invoice. */
  @Get(':id/pdf')
  async pdf(@Param('id') id: string): Promise<StreamableFile> {
    const { number, pdf } = await this.documents.pdf(id);
    return new StreamableFile(pdf, { type: 'application/pdf', disposition: `inline; filename="${number}.pdf"`, length: pdf.length });
  }
}
